"""Shared helpers for the MNIST notebook series: data, plotting, training monitor, preprocessing.

Each module does one job; the notebooks keep the lesson itself (the TensorFlow graph and the
training loop) in view and import only what is not the lesson.
"""

import os

#: TensorFlow turns on its oneDNN CPU kernels by itself only on CPUs with AVX-512 VNNI or AMX. On
#: the others, such as the 2-core AVX2 machines this series is measured on, they train the
#: convolutional networks about twice as fast (`make bench` compares both settings). The setting
#: must be made before TensorFlow is imported, which is why it lives here: every notebook imports
#: this package first. TF_ENABLE_ONEDNN_OPTS=0 in your environment turns them off.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
