"""Shared helpers for the MNIST notebook series: data, plotting, training monitor, preprocessing.

Each module does one job; the notebooks keep the lesson itself (the TensorFlow graph and the
training loop) in view and import only what is not the lesson.
"""
