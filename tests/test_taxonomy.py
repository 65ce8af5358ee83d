import pytest

from narrascope.io.semeval import read_narrative_annotations
from narrascope.taxonomy import narratives, roles

PUPPET = "URW: Discrediting Ukraine: Ukraine is a puppet of the West"


def test_narrative_taxonomy_has_the_official_labels():
    tax = narratives()
    assert len(tax.coarse) == 22 and "Other" in tax.coarse
    # 91 official fine classes (incl. Other) are scored; 4 more appear in the organisers' annotations only.
    assert len(tax.scored_fine) == 91
    assert len(tax.fine) == 94 + 1
    assert PUPPET in tax.fine


def test_parents_children_descriptions_and_domains():
    tax = narratives()
    assert tax.parent(PUPPET) == "URW: Discrediting Ukraine"
    assert PUPPET in tax.children("URW: Discrediting Ukraine")
    assert tax.children("URW: Hidden plots by secret schemes of powerful groups") == (
        "URW: Hidden plots by secret schemes of powerful groups: Other",
    )
    assert tax.domain(PUPPET) == "URW" and tax.domain("CC: Amplifying Climate Fears") == "CC"
    assert tax.short_name(PUPPET) == "Ukraine is a puppet of the West"
    assert all(tax.description(label) for label in (*tax.coarse, *tax.fine))


def test_every_fine_label_has_a_parent_and_every_narrative_an_other_child():
    tax = narratives()
    for label in tax.fine:
        if label != "Other":
            assert tax.parent(label) in tax.coarse
    for label in tax.coarse:
        if label != "Other":
            assert tax.other_child(label) == f"{label}: Other"


def test_consistent_adds_parents_and_other_children():
    tax = narratives()
    coarse, fine = tax.consistent(["CC: Amplifying Climate Fears"], [PUPPET])
    assert coarse == ["CC: Amplifying Climate Fears", "URW: Discrediting Ukraine"]
    assert fine == [PUPPET, "CC: Amplifying Climate Fears: Other"]


def test_consistent_keeps_other_alone():
    tax = narratives()
    assert tax.consistent(["Other", "URW: Discrediting Ukraine"], ["Other"]) == (
        ["URW: Discrediting Ukraine"],
        ["URW: Discrediting Ukraine: Other"],
    )
    assert tax.consistent([], []) == (["Other"], ["Other"])


def test_gold_annotations_already_obey_the_taxonomy(semeval_data):
    tax = narratives()
    for path in sorted(semeval_data.glob("*/*/subtask-2-annotations.txt")):
        for item in read_narrative_annotations(path, tax):
            coarse, fine = tax.consistent(item.narratives, item.subnarratives)
            assert set(coarse) == set(item.narratives), (path, item)
            assert set(fine) == set(item.subnarratives), (path, item)


def test_role_taxonomy():
    tax = roles()
    assert tax.coarse == ("Protagonist", "Antagonist", "Innocent")
    assert len(tax.fine) == 22
    assert tax.parent("Victim") == "Innocent"
    assert tax.parent("Instigator") == "Antagonist"


def test_role_names_are_their_own_short_names():
    tax = roles()
    assert tax.parent("Guardian") == "Protagonist" and tax.short_name("Guardian") == "Guardian"


def test_users_can_name_labels_by_part_of_the_name():
    tax = narratives()
    assert tax.resolve("puppet of the west") == PUPPET
    assert tax.resolve(PUPPET) == PUPPET
    with pytest.raises(ValueError, match="matches"):
        tax.resolve("Discrediting")
    # A narrative's name is in its sub-narratives' names too, but it means the narrative…
    assert tax.resolve("Climate Fears") == "CC: Amplifying Climate Fears"
    assert tax.resolve("amplifying war-related fears") == "URW: Amplifying war-related fears"
    # …and a name that two narratives share stays ambiguous.
    with pytest.raises(ValueError, match="matches 2 labels"):
        tax.resolve("fears")
    with pytest.raises(ValueError, match="not a label"):
        tax.resolve("no such thing")
