"""What a notebook's prose claims, checked against what its code cells printed above it.

Three kinds of claim are checked, on the committed notebooks by the tests and on a re-run with
another seed or other settings by `mnist-check-text`:

- **Numbers.** Every number the prose quotes (a decimal, a percentage, a count) must be printed by a
  code cell above it (or be in the code: a setting), at the precision the prose gives it: "about
  98.4%" is borne out by a printed 0.9839, "0.9839" only by 0.9839 itself. A sentence that names its
  source (a post, an author, a paper) may quote that source's figures. On a re-run, a quoted number
  must still be printed where the committed run printed it (the same cell, line and place on the
  line): printed elsewhere, by another figure that happens to round to it, does not bear it out.
- **Verdicts.** A paragraph that states a verdict marks it with an HTML comment, invisible on the page,
  `<!-- verdict: 07_dropout does better than without dropout -->`, and a code cell above must have
  printed a line starting with "verdict: " and that text. Prose that uses the verdicts' own words
  ("does better than", "not shown to differ") without a marker is reported too.
- **Settings.** After a change of settings, every cell that prints a comparison (a verdict, or a spread
  over seeds) must name each changed setting, as `comparisons` does in its "note:" line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import nbformat

from . import catalog

#: A number in prose: a count (with or without thousands commas), a decimal, or a percentage.
QUOTED_NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
#: A number in printed output or code: digits with an optional fraction, and a percent sign.
PRINTED_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")
#: A sentence that names the source of its figures (a post, an author, a paper) may quote them unprinted.
NAMED_SOURCE = re.compile(
    r"\b(Görner|Ng|Nelson|Dixon|[Pp]osts?|[Rr]eported|Simard|LeCun|Glorot|He|Ioffe|Kingma|Santurkar|"
    r"Srivastava|[Pp]apers?|[Cc]ourse|[Ss]ources?)\b"
)
SENTENCE_END = re.compile(r"(?<=[.;?!])\s+(?=[A-Z(*])|\n\s*\n")
#: The marker of a verdict the prose states, and the printed line it must match.
VERDICT_MARKER = re.compile(r"<!--\s*verdict:\s*(.*?)\s*-->", re.S)
VERDICT_LINE = re.compile(r"^verdict: (.*)$", re.M)
#: The verdicts' own words, which prose may use only beside a marker.
VERDICT_WORDS = re.compile(r"not shown to differ|does better than|reads these [\d,]+ images better")
#: What marks a printed comparison: a verdict, or a table of spreads over seeds.
COMPARISON_PRINTED = re.compile(r"^verdict: |mean \+/- sd|paired by seed", re.M)


#: The word budget of a lesson (issue 32): its prose in all, and any one markdown cell, exercises apart.
WORDS_PER_LESSON = 1800
WORDS_PER_CELL = 250
#: A word: a run of characters without spaces that holds a letter or a digit.
WORD = re.compile(r"\S*[^\W_]\S*")


@dataclass(frozen=True)
class Finding:
    """One claim of a notebook's prose that its printed outputs do not bear out."""

    cell: int
    kind: str  # "number", "verdict" or "setting"
    text: str

    def __str__(self) -> str:
        return f"cell {self.cell} ({self.kind}): {self.text}"


def outputs_text(cell: nbformat.NotebookNode) -> str:
    """What a code cell shows as text: its streams and the plain-text forms of its results."""
    parts = []
    for output in cell.get("outputs", []):
        text = output.get("text", "")
        parts.append("".join(text) if isinstance(text, list) else text)
        for kind in ("text/plain", "text/html"):
            value = output.get("data", {}).get(kind, "")
            parts.append("".join(value) if isinstance(value, list) else value)
    return "".join(parts)


def prose(markdown: str) -> str:
    """Markdown without headings, code blocks, code spans, LaTeX and HTML comments: the sentences themselves."""
    markdown = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    markdown = re.sub(r"^#+ .*$", " ", markdown, flags=re.M)
    markdown = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    markdown = re.sub(r"\$\$.*?\$\$", " ", markdown, flags=re.S)
    markdown = re.sub(r"\$[^$\n]+\$", " ", markdown)
    return re.sub(r"`[^`\n]+`", " ", markdown)


def quoted_numbers(notebook: nbformat.NotebookNode):
    """(markdown cell index, sentence, match, indices of the code cells whose print may bear it out) of every
    number the prose quotes as a result. Before the first code cell (the introduction), what any code cell
    prints counts; after it, what the cells above print and the code of the cell the paragraph introduces."""
    cells = notebook.cells
    code = [index for index, cell in enumerate(cells) if cell.cell_type == "code"]
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        above = [c for c in code if c < index]
        following = next((c for c in code if c > index), None)
        sources = above + ([following] if following is not None else []) if above else code
        for sentence in SENTENCE_END.split(prose(cell.source)):
            if NAMED_SOURCE.search(sentence):
                continue
            for match in QUOTED_NUMBER.finditer(sentence):
                if not _not_a_result(sentence, match):
                    yield index, sentence, match, sources


def number_findings(notebook: nbformat.NotebookNode) -> list[Finding]:
    """Every number the prose quotes that no code cell above it prints (or sets) at the quoted precision."""
    cells, findings = notebook.cells, []
    for index, sentence, match, sources in quoted_numbers(notebook):
        above = any(c < index for c in sources)
        # The cell a paragraph introduces counts by its code alone (its output comes after the prose).
        shown = [number for c in sources for number in _numbers_in(_shown(cells[c], outputs=c < index or not above))]
        if not _supported(match.groups(), shown):
            findings.append(
                Finding(
                    index,
                    "number",
                    f"quotes {match.group(0)}, which no cell {'above it ' if above else ''}prints at that "
                    f"precision: {' '.join(sentence.split())[:160]!r}",
                )
            )
    return findings


def moved_number_findings(committed: nbformat.NotebookNode, rerun: nbformat.NotebookNode) -> list[Finding]:
    """Every number the prose quotes that the re-run no longer prints where the committed run printed it: at
    the same code cell, line and place on the line as any printed number of the committed run that bears
    it out. (A quote the committed run does not bear out at all is number_findings' to report.)"""
    if [c.cell_type for c in committed.cells] != [c.cell_type for c in rerun.cells]:
        raise ValueError("the re-run is not of the committed notebook: their cells differ")
    findings = []
    for index, sentence, match, sources in quoted_numbers(committed):
        above = any(c < index for c in sources)
        anchors = [
            (c, *place)
            for c in sources
            for place, number in _placed_numbers(committed.cells[c], outputs=c < index or not above).items()
            if _supported(match.groups(), [number])
        ]
        again = {c: _placed_numbers(rerun.cells[c], outputs=True) for c, _, _ in anchors}
        if not anchors or any(
            (line, place) in again[c] and _supported(match.groups(), [again[c][(line, place)]])
            for c, line, place in anchors
        ):
            continue
        cell, line, _ = anchors[0]
        before = _shown(committed.cells[cell], outputs=True).splitlines()[line].strip()
        after_lines = _shown(rerun.cells[cell], outputs=True).splitlines()
        after = after_lines[line].strip() if line < len(after_lines) else "(no such line)"
        findings.append(
            Finding(
                index,
                "number",
                f"quotes {match.group(0)}, printed by cell {cell} in the committed run ({before[:80]!r}) and not "
                f"there in this one ({after[:80]!r}): {' '.join(sentence.split())[:120]!r}",
            )
        )
    return findings


def _shown(cell: nbformat.NotebookNode, outputs: bool) -> str:
    """What a code cell shows that may bear out a quoted number: its code (settings), and its output."""
    return cell.source + "\n" + (outputs_text(cell) if outputs else "")


def _placed_numbers(cell: nbformat.NotebookNode, outputs: bool) -> dict[tuple[int, int], tuple[float, int, bool]]:
    """{(line, place on the line): (value, decimals, is a percentage)} of the numbers a code cell shows."""
    return {
        (line_number, place): number
        for line_number, line in enumerate(_shown(cell, outputs).splitlines())
        for place, number in enumerate(_numbers_in(line))
    }


def verdict_findings(notebook: nbformat.NotebookNode) -> list[Finding]:
    """Every verdict the prose marks that no code cell above printed, and every use of the verdicts'
    words in a paragraph without a marker."""
    printed, findings = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            printed += VERDICT_LINE.findall(outputs_text(cell))
            continue
        if cell.cell_type != "markdown":
            continue
        markers = VERDICT_MARKER.findall(cell.source)
        for marker in markers:
            wanted = " ".join(marker.split())
            if not any(" ".join(line.split()).startswith(wanted) for line in printed):
                findings.append(Finding(index, "verdict", f"states the verdict {wanted!r}, which no cell above prints"))
        words = VERDICT_WORDS.search(prose(cell.source))
        if words and not markers:
            findings.append(
                Finding(index, "verdict", f"says {words.group(0)!r} without a <!-- verdict: ... --> marker")
            )
    return findings


def setting_findings(notebook: nbformat.NotebookNode, changed: Iterable[str]) -> list[Finding]:
    """Every code cell that prints a comparison without naming each of the `changed` settings."""
    changed = list(changed)
    findings = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        text = outputs_text(cell)
        if not COMPARISON_PRINTED.search(text):
            continue
        missing = [name for name in changed if not re.search(rf"\b{re.escape(name)}\b", text)]
        if missing:
            findings.append(
                Finding(index, "setting", f"prints a comparison without naming the changed {', '.join(missing)}")
            )
    return findings


def _numbers_in(text: str) -> list[tuple[float, int, bool]]:
    """(value, decimals, is a percentage) of every number in `text`."""
    found = []
    for whole, decimals, percent in PRINTED_NUMBER.findall(text):
        found.append((float(whole.replace(",", "") + decimals), max(len(decimals) - 1, 0), bool(percent)))
    return found


def _supported(groups: tuple[str, str, str], shown: list[tuple[float, int, bool]]) -> bool:
    """Whether a quoted number is printed: a count exactly; a decimal or a percentage by any printed
    number that rounds to it at the quoted precision (a percentage may be printed as a fraction)."""
    whole, decimals, percent = groups
    decimals = decimals or ""
    value = float(whole.replace(",", "") + decimals)
    places = max(len(decimals) - 1, 0)
    if not decimals and not percent:
        return any(printed == value for printed, _, _ in shown)
    tolerance = 0.5 * 10**-places + 1e-9
    for printed, printed_places, _ in shown:
        if printed_places < places:
            continue  # a coarser printed number cannot bear out a finer quote
        candidates = (printed, printed * 100) if percent else (printed,)
        if any(abs(candidate - value) <= tolerance for candidate in candidates):
            return True
    return False


def _not_a_result(sentence: str, match: re.Match) -> bool:
    """Numbers that are no measured result: small whole numbers (digits, counts of layers), years,
    names (notebook 5, step 500, exercise 3), sizes in a product (28 x 28), and the result of a sum
    written out in the sentence (784 x 10 + 10 = 7,850)."""
    whole, decimals, percent = match.groups()
    if decimals or percent:
        return False
    value = int(whole.replace(",", ""))
    before, after = sentence[: match.start()], sentence[match.end() :]
    return bool(
        value <= 12
        or 1900 <= value <= 2030
        or re.search(r"(notebooks?|[Pp]art|steps?|[Ee]xercises?|figure|cell|layer|unit|channel|seeds?)\s*$", before)
        or re.search(r"\b[Nn]otebooks\s+[\d,\s]*(\band|\bor|\bto|-)\s*$", before)
        or re.search(r"\b[Nn]otebook \d+'s\s*$", before)
        or re.search(r"(\bx|=|\+|-)\s*$", before)
        or re.match(r"\s*(x|\+|-)\s", after)
    )


def lesson_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, source) of each markdown cell of the lesson: those above its "## Exercises" heading."""
    end = catalog.exercises_start(notebook.cells)
    return [(index, cell.source) for index, cell in enumerate(notebook.cells[:end]) if cell.cell_type == "markdown"]


def word_count(markdown: str) -> int:
    """The words a reader reads in a markdown cell: its prose and headings, without formulas, code and comments."""
    markdown = re.sub(r"^#+ ", "", markdown, flags=re.M)
    return len(WORD.findall(prose(markdown)))


def word_budget_findings(notebook: nbformat.NotebookNode) -> list[Finding]:
    """The lesson's markdown cells over WORDS_PER_CELL, and the lesson itself if over WORDS_PER_LESSON."""
    counts = [(index, word_count(source)) for index, source in lesson_cells(notebook)]
    findings = [
        Finding(index, "words", f"{words} words, over the {WORDS_PER_CELL} a cell may hold")
        for index, words in counts
        if words > WORDS_PER_CELL
    ]
    total = sum(words for _, words in counts)
    if total > WORDS_PER_LESSON:
        findings.append(Finding(0, "words", f"the lesson has {total} words, over its budget of {WORDS_PER_LESSON}"))
    return findings
