"""Teaching declutter: labels, training, extension and evaluation. The cleaning side never imports this.

* `documents.py`: `LabeledDoc`, what fitting and evaluation read, and reading it from files;
* `align.py`, `textmatch.py`: labeling lines by aligning them with a gold text;
* `silver.py`: silver labels for a new outlet's pages (`declutter label`);
* `fit.py`: fitting both stages; `extend.py`: extending a model with new outlets;
* `recipe.py`: the one training recipe, for `declutter train` and `training/`;
* `evaluation.py`, `metrics.py`: line P/R/F1 and token F1, computed one way everywhere.
"""
