"""The pure draw of an attempt's paper (quizcore.domain.papers)."""

import pytest

from quizcore.domain.papers import SectionPool, disjoint_pools, draw_paper, shortfalls

POOL_A = tuple(f"a{i:02d}" for i in range(10))
POOL_B = tuple(f"b{i:02d}" for i in range(10))


def sections(*pools):
    return [SectionPool(f"s{index}", draw, marks, candidates)
            for index, (draw, marks, candidates) in enumerate(pools)]


def test_the_same_seed_draws_the_same_paper_and_other_seeds_differ():
    pools = sections((3, 2, POOL_A), (2, 5, POOL_B))
    first = draw_paper("attempt-1", [("f1", 4)], pools)
    assert first == draw_paper("attempt-1", [("f1", 4)], pools)
    # the candidates' order does not matter, only the seed
    shuffled = sections((3, 2, POOL_A[::-1]), (2, 5, POOL_B[::-1]))
    assert first == draw_paper("attempt-1", [("f1", 4)], shuffled)
    papers = {tuple(e.question_id for e in draw_paper(f"attempt-{n}", [], pools))
              for n in range(20)}
    assert len(papers) > 1


def test_paper_layout_fixed_first_then_each_section_with_its_marks():
    paper = draw_paper("seed", [("f1", 4), ("f2", 1)], sections((3, 2, POOL_A), (2, 5, POOL_B)))
    assert [e.position for e in paper] == list(range(7))
    assert [(e.question_id, e.section_id, e.marks) for e in paper[:2]] == \
        [("f1", None, 4), ("f2", None, 1)]
    assert all(e.question_id in POOL_A and e.section_id == "s0" and e.marks == 2
               for e in paper[2:5])
    assert all(e.question_id in POOL_B and e.section_id == "s1" and e.marks == 5
               for e in paper[5:])
    assert sum(e.marks for e in paper) == 4 + 1 + 3 * 2 + 2 * 5


def test_overlapping_pools_never_put_a_question_twice_on_a_paper():
    overlap = POOL_A[:6]
    pools = sections((4, 1, POOL_A), (5, 1, overlap + POOL_B[:1]))
    # the overlap belongs to the first section; the fixed question is in no pool
    assert [p.candidates for p in disjoint_pools(["a09"], pools)] == \
        [POOL_A[:9], ("b00",)]
    assert [(s.index, s.available, s.draw) for s in
            shortfalls(disjoint_pools(["a09"], pools))] == [(1, 1, 5)]
    pools = sections((4, 1, POOL_A), (3, 1, POOL_A[4:] + POOL_B[:3]))
    for n in range(50):
        ids = [e.question_id for e in draw_paper(f"attempt-{n}", [("a00", 1)], pools)]
        assert len(ids) == len(set(ids)) == 8


def test_a_pool_smaller_than_its_draw_is_refused():
    with pytest.raises(ValueError):
        draw_paper("seed", [], sections((11, 1, POOL_A)))
    assert shortfalls(sections((10, 1, POOL_A))) == []
