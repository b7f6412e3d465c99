/* The book's search scorer (Sphinx's html_search_scorer): Sphinx's own scores, and one thing more.
   Sphinx gives a page the same score for a word of the query in its title as in any of its section
   headings, so a search for "dropout" listed the dropout chapter after chapters with an exercise
   about dropout. A page whose own title holds a word of the query now gains `pageTitle` for each
   such word, and the chapter about a subject comes first. */
var Scorer = {
  // Sphinx's defaults (sphinx/themes/basic/static/searchtools.js)
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
  // added for each word of the query that the page's own title holds
  pageTitle: 10,

  score: (result) => {
    const [, title, , , score, , kind] = result;
    if (kind !== "text" || !title) return score;
    const stemmer = new Stemmer();
    const stems = (text) =>
      new Set(
        text
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u)
          .filter((word) => word.length > 2)
          .map((word) => stemmer.stemWord(word)),
      );
    const inTitle = stems(title);
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const found = [...stems(query)].filter((word) => inTitle.has(word)).length;
    return score + found * Scorer.pageTitle;
  },
};
