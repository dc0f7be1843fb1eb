"""A link to another story that carries its headline is dropped in any language
(`features.forms.teaser_lines`, `Config.drop_teasers`)."""

from __future__ import annotations

import pytest

from declutter import Cleaner, Config
from declutter.features import teaser_lines

PARAGRAPHS = (
    "Officials in the capital said on Monday that the new bridge would open to traffic next spring, two years late.",
    "The delay was caused by a shortage of steel and a dispute with the main contractor over the foundations.",
    "The mayor said the city would seek compensation from the contractor once the accounts were settled.",
)


def _article_with(line: str) -> str:
    return "\n".join([PARAGRAPHS[0], PARAGRAPHS[1], line, PARAGRAPHS[2]])


@pytest.mark.parametrize(
    "teaser",
    [
        "Read also: Putin signs the federal budget law",
        "READ MORE: Canadian family released after five years",
        "Lire aussi : Le gouvernement adopte la réforme",
        "Читайте также: Путин подписал закон о бюджете",
        "Читайте також: уряд ухвалив бюджет",
        "اقرأ أيضا: الرئيس يلتقي الوزير",
        "相关阅读：北京发布新规",
        "【関連記事】東京で新しい橋が開通",
        "यह भी पढ़ें: सरकार ने बजट पेश किया",
    ],
)
def test_a_teaser_inside_an_article_is_dropped_whatever_its_language(teaser):
    ruled = Cleaner().explain(_article_with(teaser))
    assert ruled.lines[2].label == "boilerplate"
    assert [ln.label for i, ln in enumerate(ruled.lines) if i != 2] == ["article"] * 3
    assert teaser not in ruled.text and PARAGRAPHS[2] in ruled.text


@pytest.mark.parametrize("teaser", ["Read also: Putin signs the federal budget law", "Читайте также: Путин подписал закон о бюджете",
                                    "相关阅读：北京发布新规"])
def test_the_form_drops_the_teasers_the_model_alone_keeps(teaser):
    """The shipped model keeps these under the residue cut; the rule drops them, with its own reason."""
    alone = Cleaner(Config(drop_teasers=False)).explain(_article_with(teaser))
    ruled = Cleaner().explain(_article_with(teaser))
    assert alone.lines[2].label == "article"
    assert (ruled.lines[2].label, ruled.lines[2].reason) == ("boilerplate", "teaser")


def test_a_lone_marker_and_a_sentence_that_opens_like_one_are_not_teasers():
    """"See also" heading a reference list is left to the model; "Trending" starting a sentence is prose."""
    lines = ["See also", "Further reading", "Trending stocks rose on Monday after the bank cut rates.",
             "Related to the case, two officials resigned.", "Read more: x"]
    assert teaser_lines(lines).tolist() == [False, False, False, False, False]
