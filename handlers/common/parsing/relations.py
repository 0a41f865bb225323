"""What a person is to someone, said in everyday words, read as a referral relation code.

"anh trai", "em gái", "mẹ", "bố", "ông nội", "cô", "chú" → nguoi_than; "bạn", "bạn học" →
ban_be; "đồng nghiệp" → dong_nghiep; "hàng xóm", "người quen" → khac. The words and codes
are data (content/natural.yaml, `relations`); an owner word after them is ignored ("anh trai
tôi", "em gái của mình"). The label of a code itself ("Người thân") is in the list too.
An unsure answer ("có lẽ", "chắc là", "không biết", "hình như", "để xem"…, content/natural.yaml
`unsure`) names no relationship, whatever follows it: "có lẽ" folds to "co le", which would
otherwise start like "cô".
"""

from __future__ import annotations

from content.natural import folded, natural


def parse_relation(text: str) -> str | None:
    """Return the relation code of text, or None when it names no relationship."""
    vocab = natural()
    words = folded(text).strip(" .!,?")
    if any(words == opening or words.startswith(opening + " ") for opening in vocab.unsure):
        return None
    for owner in vocab.relation_owners:
        if words.endswith(" " + owner):
            words = words[: -len(owner) - 1].strip()
            break
    words = words.removeprefix("la ").removeprefix("nguoi do la ").strip()
    if words in vocab.relations:
        return vocab.relations[words]
    # "anh trai út", "bạn học cũ": the longest known word the answer starts with.
    best = ""
    for word in vocab.relations:
        if words.startswith(word + " ") and len(word) > len(best):
            best = word
    return vocab.relations[best] if best else None
