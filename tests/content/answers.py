"""What a lookup answers first: the source cited and the text quoted (for the lookup tests)."""

from __future__ import annotations

from content.search import SearchIndex


def top_answer(index: SearchIndex, question: str) -> tuple[str, str]:
    """The top hit's source and quoted text (its section's lines when it quotes a section);
    fails the test when the lookup finds nothing."""
    hits = index.search(question)
    assert hits, f"not found: {question}"
    top = hits[0]
    text = "\n".join(top.section_texts) if top.section_texts else (top.sentence or top.text)
    return top.source, text


def quoted(index: SearchIndex, question: str) -> str:
    """The text the lookup quotes first (see top_answer)."""
    return top_answer(index, question)[1]
