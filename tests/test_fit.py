"""Training weights: how much each input shape counts in a fit."""

from __future__ import annotations

import numpy as np
import pytest

from declutter.teach.fit import RESIDUE_SHARE, line_weights
from declutter.teach.documents import LabeledDoc


def _doc(n: int, shape: str, group: str = "site") -> LabeledDoc:
    return LabeledDoc(["a line"] * n, ["article"] * n, group, shape=shape)


MIX = [_doc(30, "residue"), _doc(100, "page"), _doc(10, "page", "other"), _doc(5, "residue", "other")]
RESIDUE = np.repeat([True, False, False, True], [30, 100, 10, 5])


@pytest.mark.parametrize("share", [0.5, 0.7, 0.2])
def test_residue_gets_its_share_of_the_weight_whatever_the_line_counts(share):
    w = line_weights(MIX, share)
    assert w[RESIDUE].sum() / w.sum() == pytest.approx(share)


def test_by_line_count_every_shape_has_the_same_mean_line_weight():
    w = line_weights(MIX, None)
    assert w[RESIDUE].mean() == pytest.approx(w[~RESIDUE].mean())


@pytest.mark.parametrize("share", [None, 0.5, 0.7])
def test_the_mean_line_weight_is_one_whatever_the_share(share):
    # The scale stage 1's C and stage 2's l2 act against must not move with
    # the mix: halving it changed the models as much as the share did.
    assert line_weights(MIX, share).mean() == pytest.approx(1.0)


def test_within_a_shape_a_long_document_weighs_sqrt_of_its_lines():
    w = line_weights(MIX, RESIDUE_SHARE)
    long_page, short_page = w[30:130].sum(), w[130:140].sum()
    assert long_page / short_page == pytest.approx(np.sqrt(100 / 10))


def test_a_mix_of_one_shape_gives_it_all_the_weight():
    docs = [_doc(30, "residue"), _doc(5, "residue")]
    assert line_weights(docs, 0.2).sum() == pytest.approx(35)


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_a_share_outside_0_1_is_refused(share):
    with pytest.raises(ValueError, match="between 0 and 1"):
        line_weights(MIX, share)
