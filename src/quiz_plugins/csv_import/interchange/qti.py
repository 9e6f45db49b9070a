"""IMS QTI: 1.2 (Canvas, Blackboard) and 2.1 items and packages (read); 2.1 (write).

A package is a zip with ``imsmanifest.xml``; its resources name the XML files holding the
items (Canvas puts one ``questestinterop`` per quiz or bank, QTI 2.1 one
``assessmentItem`` per file). A bare XML file is read too.

QTI 1.2 items are recognised by Canvas's ``question_type`` metadata when present
(multiple_choice, true_false, multiple_answers, short_answer, numerical, matching, essay,
text_only), otherwise from the response kind (``response_lid`` single or multiple,
``response_str``, ``response_num``). Credit comes from ``setvar`` in ``resprocessing``.

QTI 2.1 items are read from their interaction (choiceInteraction with maxChoices 1 or more,
textEntryInteraction with a string or float response, extendedTextInteraction,
matchInteraction, orderInteraction) and ``responseDeclaration`` (correctResponse, mapping).
"""

from __future__ import annotations

import io
import math
import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element, SubElement

from . import ir
from .ir import Choice, InterchangeQuestion, NumericAnswer
from .safety import InterchangeFileProblem, Limits, is_zip, local, parse_xml, read_zip
from .text import plain, topic_of, xml_document

QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"

CANVAS_TYPES = {
    "multiple_choice_question": ir.MCQ, "true_false_question": ir.TRUE_FALSE,
    "multiple_answers_question": ir.MULTIPLE_ANSWER, "short_answer_question": ir.SHORT_ANSWER,
    "numerical_question": ir.NUMERICAL, "matching_question": ir.MATCHING,
    "essay_question": ir.DESCRIPTIVE, "text_only_question": ir.TEXT_ONLY,
}


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element.iter() if local(child.tag) == name]


def _first(element: Element, name: str) -> Element | None:
    return next((child for child in element.iter() if local(child.tag) == name), None)


def _mattext(element: Element | None, question: InterchangeQuestion) -> str:
    if element is None:
        return ""
    node = _first(element, "mattext")
    if node is None or node.text is None:
        return ""
    text, files = plain(node.text, "html" if "html" in (node.get("texttype") or "") else
                        "plain_text")
    if files or "$IMS-CC-FILEBASE$" in node.text:
        question.warnings.append("embedded files dropped: the bank stores no files")
    return text


def read(data: bytes, limits: Limits) -> Iterator[InterchangeQuestion]:
    if is_zip(data):
        files = read_zip(data, limits)
        manifest = files.get("imsmanifest.xml")
        if manifest is None:
            raise InterchangeFileProblem("The QTI package has no imsmanifest.xml.")
        root = parse_xml(manifest, limits, "imsmanifest.xml")
        paths: list[str] = []
        topics: dict[str, str | None] = {}
        for resource in _children(root, "resource"):
            href = resource.get("href")
            names = [href] if href else []
            names += [f.get("href") for f in _children(resource, "file") if f.get("href")]
            for name in names:
                path = posixpath.normpath(posixpath.join(posixpath.dirname(""), name))
                if path.endswith(".xml") and path in files and path not in paths and \
                        path != "imsmanifest.xml":
                    paths.append(path)
                    topics[path] = topic_of(resource.get("topic"))
        for path in paths:
            element = parse_xml(files[path], limits, path)
            if local(element.tag) in ("questestinterop", "assessmentItem"):
                for question in _document(element, path):
                    question.topic = question.topic or topics.get(path)
                    yield question
        return
    yield from _document(parse_xml(data, limits, "The QTI file"), "file")


def _document(root: Element, path: str) -> Iterator[InterchangeQuestion]:
    tag = local(root.tag)
    if tag == "assessmentItem":
        yield _item21(root, path)
    elif tag == "questestinterop":
        for container in root.iter():
            if local(container.tag) not in ("assessment", "objectbank", "questestinterop",
                                            "section"):
                continue
            for item in container:
                if local(item.tag) == "item":
                    yield _item12(item, container, path)
    elif tag not in ("manifest", "assessmentTest"):
        raise InterchangeFileProblem(f"{path} is neither QTI 1.2 (questestinterop) nor "
                                     f"QTI 2.1 (assessmentItem): <{tag}>.")


# -- QTI 1.2 ---------------------------------------------------------------------------------


def _metadata(item: Element) -> dict[str, str]:
    fields = {}
    for field in _children(item, "qtimetadatafield"):
        label, entry = _first(field, "fieldlabel"), _first(field, "fieldentry")
        if label is not None and label.text:
            fields[label.text.strip()] = (entry.text or "").strip() if entry is not None else ""
    return fields


def _credits(item: Element) -> dict[str, float]:
    """Response label ident -> credit from resprocessing (Canvas: setvar 100 for right)."""
    credits: dict[str, float] = {}
    for condition in _children(item, "respcondition"):
        setvar = _first(condition, "setvar")
        if setvar is None:
            continue
        try:
            value = float(setvar.text or 0)
        except ValueError:
            continue
        conditionvar = _first(condition, "conditionvar")
        if conditionvar is None or _first(conditionvar, "not") is not None:
            continue
        for equal in _children(conditionvar, "varequal"):
            if equal.text:
                credits[equal.text.strip()] = max(credits.get(equal.text.strip(), 0), value)
    top = max(credits.values(), default=0) or 1
    scale = 100 if top > 1 else top
    return {key: value / scale for key, value in credits.items()}


def _item12(item: Element, container: Element, path: str) -> InterchangeQuestion:
    meta = _metadata(item)
    name = item.get("title")
    question = InterchangeQuestion(type="", text="", name=name,
                                   source=f"{path} item {item.get('ident') or ''}".strip())
    if local(container.tag) == "section" and container.get("title"):
        question.topic = topic_of(container.get("title"))
    question.text = _mattext(_first(item, "presentation"), question)
    try:
        question.marks = float(meta.get("points_possible") or 1)
    except ValueError:
        question.marks = 1
    kind = CANVAS_TYPES.get(meta.get("question_type", ""), meta.get("question_type"))
    lids = _children(item, "response_lid")
    if kind is None:
        if lids:
            kind = ir.MULTIPLE_ANSWER if lids[0].get("rcardinality") == "Multiple" else ir.MCQ
        elif _children(item, "response_num"):
            kind = ir.NUMERICAL
        elif _children(item, "response_str"):
            kind = ir.SHORT_ANSWER
        else:
            kind = ir.TEXT_ONLY
    question.type = kind
    credits = _credits(item)
    feedback = {fb.get("ident"): _mattext(fb, question) for fb in _children(item, "itemfeedback")}
    question.feedback = feedback.get("general_fb") or None
    if kind in (ir.MCQ, ir.MULTIPLE_ANSWER, ir.TRUE_FALSE):
        labels = _children(lids[0], "response_label") if lids else []
        question.choices = [Choice(_mattext(label, question),
                                   credits.get(label.get("ident") or "", 0.0),
                                   feedback.get(f"{label.get('ident')}_fb") or None)
                            for label in labels]
        if kind == ir.MULTIPLE_ANSWER:
            right = [c for c in question.choices if c.credit > 0]
            for choice in right:
                choice.credit = 1 / len(right)
        if kind == ir.TRUE_FALSE:
            best = max(question.choices, key=lambda c: c.credit, default=None)
            question.truth = best is not None and best.text.strip().lower() == "true"
    elif kind == ir.SHORT_ANSWER:
        question.choices = [Choice(text, 1.0) for text in credits]
    elif kind == ir.NUMERICAL:
        for condition in _children(item, "respcondition"):
            setvar = _first(condition, "setvar")
            if setvar is None or not (setvar.text or "").strip() or float(setvar.text) <= 0:
                continue
            answer = _numeric12(condition)
            if answer is not None:
                question.numeric.append(answer)
    elif kind == ir.MATCHING:
        for lid in lids:
            left = _mattext(lid, question)
            labels = {label.get("ident"): _mattext(label, question)
                      for label in _children(lid, "response_label")}
            right_ident = next((ident for ident in labels
                                if credits.get(ident or "", 0) > 0 and
                                _matches(item, lid.get("ident"), ident)), None)
            if right_ident is not None:
                question.pairs.append((left, labels[right_ident]))
            else:
                question.warnings.append(f"no right match for {left!r}")
    elif kind == ir.DESCRIPTIVE:
        pass
    return question


def _matches(item: Element, respident: str | None, ident: str | None) -> bool:
    return any(equal.get("respident") == respident and (equal.text or "").strip() == ident
               for equal in _children(item, "varequal"))


def _numeric12(condition: Element) -> NumericAnswer | None:
    def number(name: str) -> float | None:
        node = _first(condition, name)
        try:
            value = float(node.text) if node is not None and node.text else None
        except ValueError:
            return None
        return value if value is None or math.isfinite(value) else None

    exact, low, high = number("varequal"), number("vargte"), number("varlte")
    if low is None:
        low = number("vargt")
    if high is None:
        high = number("varlt")
    if low is not None and high is not None:
        return NumericAnswer((low + high) / 2, (high - low) / 2)
    if exact is not None:
        return NumericAnswer(exact, 0.0)
    return None


# -- QTI 2.1 ---------------------------------------------------------------------------------


def _correct(item: Element) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for declaration in _children(item, "responseDeclaration"):
        correct = _first(declaration, "correctResponse")
        values[declaration.get("identifier") or ""] = [
            (v.text or "").strip() for v in _children(correct, "value")] if correct is not None \
            else []
    return values


def _mapping(item: Element) -> dict[str, float]:
    result = {}
    for entry in _children(item, "mapEntry"):
        try:
            result[entry.get("mapKey") or ""] = float(entry.get("mappedValue") or 0)
        except ValueError:
            continue
    return result


def _inner_text(element: Element | None, question: InterchangeQuestion) -> str:
    if element is None:
        return ""
    skip = {"choiceInteraction", "textEntryInteraction", "extendedTextInteraction",
            "matchInteraction", "orderInteraction", "feedbackInline", "modalFeedback"}
    parts: list[str] = []

    def walk(node: Element) -> None:
        # Nested interactions and feedback are left out of a text, but the element
        # asked for is always read (its own feedbackInline/modalFeedback text).
        if node is not element and local(node.tag) in skip:
            if node.tail:
                parts.append(node.tail)
            return
        if local(node.tag) == "img" and node.get("alt"):
            parts.append(f"[{node.get('alt')}]")
        if local(node.tag) in ("p", "div", "br", "li") and parts:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not element:
            parts.append(node.tail)

    walk(element)
    text, _ = plain("".join(parts), "plain_text")
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def _item21(item: Element, path: str) -> InterchangeQuestion:
    question = InterchangeQuestion(type=ir.TEXT_ONLY, text="", name=item.get("title"),
                                   source=f"{path} ({item.get('identifier') or ''})")
    body = _first(item, "itemBody")
    question.text = _inner_text(body, question)
    correct = _correct(item)
    mapping = _mapping(item)
    scores, feedback_of = _matches21(item)
    choice_feedback: dict[str, str] = {}
    for modal in _children(item, "modalFeedback"):
        text = _inner_text(modal, question) or None
        if modal.get("identifier") in feedback_of and text:
            choice_feedback[feedback_of[modal.get("identifier")]] = text
        else:
            question.feedback = text
    for field in _children(item, "instructureField"):  # Canvas's own metadata
        if field.get("name") == "points_possible":
            try:
                question.marks = float(field.get("value") or 1)
            except ValueError:
                pass
    for outcome in _children(item, "outcomeDeclaration"):
        if outcome.get("identifier") == "MAXSCORE":
            value = _first(outcome, "value")
            try:
                question.marks = float(value.text) if value is not None else 1.0
            except (TypeError, ValueError):
                question.marks = 1.0
    for declaration in _children(item, "responseDeclaration"):
        if declaration.get("identifier") == "RESPONSE" and \
                declaration.get("baseType") == "float":
            question.type = ir.NUMERICAL
    interaction = next((node for node in (body.iter() if body is not None else [])
                        if local(node.tag).endswith("Interaction")), None)
    if interaction is None:
        return question
    name = local(interaction.tag)
    right = correct.get(interaction.get("responseIdentifier") or "", []) or [
        ident for ident, score in scores.items() if score > 0]
    if name == "choiceInteraction":
        choices = [c for c in interaction if local(c.tag) == "simpleChoice"]
        multiple = interaction.get("maxChoices") != "1"
        question.type = ir.MULTIPLE_ANSWER if multiple else ir.MCQ
        for choice in choices:
            ident = choice.get("identifier") or ""
            credit = mapping.get(ident, 1.0 if ident in right else 0.0)
            inline = _first(choice, "feedbackInline")
            question.choices.append(Choice(_inner_text(choice, question), credit,
                                           _inner_text(inline, question) or
                                           choice_feedback.get(ident)))
        if multiple:
            positive = [c for c in question.choices if c.credit > 0]
            for choice in positive:
                choice.credit = 1 / len(positive)
        texts = [c.text.lower() for c in question.choices]
        if not multiple and texts == ["true", "false"]:
            question.type = ir.TRUE_FALSE
            question.truth = question.choices[0].credit > 0
            question.true_feedback = question.choices[0].feedback
            question.false_feedback = question.choices[1].feedback
    elif name == "textEntryInteraction" and question.type == ir.NUMERICAL:
        _numeric21(item, right, question)
        if not question.numeric and right:
            try:
                question.numeric.append(NumericAnswer(float(right[0])))
            except ValueError:
                question.warnings.append(f"numeric answer {right[0]!r} dropped")
    elif name == "textEntryInteraction":
        question.type = ir.SHORT_ANSWER
        keys = [key for key, value in mapping.items() if value > 0] or right
        question.choices = [Choice(key, 1.0) for key in keys]
        case = _first(item, "mapping")
        question.case_sensitive = case is not None and case.get("caseSensitive") == "true"
    elif name == "extendedTextInteraction":
        question.type = ir.DESCRIPTIVE
    elif name == "orderInteraction":
        question.type = ir.ORDERING
        texts = {c.get("identifier"): _inner_text(c, question)
                 for c in interaction if local(c.tag) == "simpleChoice"}
        question.items = [texts[ident] for ident in right if ident in texts]
    elif name == "matchInteraction":
        question.type = ir.MATCHING
        sets = [s for s in interaction if local(s.tag) == "simpleMatchSet"]
        texts = {c.get("identifier"): _inner_text(c, question)
                 for s in sets for c in s if local(c.tag) == "simpleAssociableChoice"}
        for pair in right:
            left, _, target = pair.partition(" ")
            if left in texts and target in texts:
                question.pairs.append((texts[left], texts[target]))
    else:
        question.type = f"qti:{name}"
    return question


def _matches21(item: Element) -> tuple[dict[str, float], dict[str, str]]:
    """What an item's response processing says of single choices, for items without a
    ``correctResponse`` (Canvas writes them so): ``{choice: SCORE it sets}`` and
    ``{feedback identifier: choice}`` from the ``responseIf`` branches that ``match`` the
    response against one choice."""
    scores: dict[str, float] = {}
    feedback_of: dict[str, str] = {}
    for branch in item.iter():
        if local(branch.tag) not in ("responseIf", "responseElseIf") or not len(branch):
            continue
        test = branch[0]
        value = _first(test, "baseValue") if local(test.tag) == "match" else None
        if value is None or not (value.text or "").strip():
            continue
        choice = value.text.strip()
        for outcome in branch[1:]:
            if local(outcome.tag) != "setOutcomeValue":
                continue
            if outcome.get("identifier") == "SCORE":
                score = _first(outcome, "baseValue")
                try:
                    scores[choice] = max(scores.get(choice, 0.0), float(score.text or 0)
                                         if score is not None else 0.0)
                except ValueError:
                    continue
            elif outcome.get("identifier") == "FEEDBACK":
                for name in _children(outcome, "baseValue"):
                    if (name.text or "").strip():
                        feedback_of[name.text.strip()] = choice
    return scores, feedback_of


def _numeric21(item: Element, right: list[str], question: InterchangeQuestion) -> None:
    """Accepted values of a QTI 2.1 numeric item: each ``responseIf``/``responseElseIf``
    branch comparing RESPONSE with ``equal`` is one value (its ``baseValue``, or the correct
    response), with its tolerance and the credit its ``setOutcomeValue`` gives (a share of
    MAXSCORE; full credit when it sets none)."""
    branches = [node for node in item.iter()
                if local(node.tag) in ("responseIf", "responseElseIf")]
    for branch in branches:
        equal = next((child for child in branch if local(child.tag) == "equal"), None)
        if equal is None:
            continue
        given = next((child for child in equal if local(child.tag) == "baseValue"), None)
        score = _first(branch, "setOutcomeValue")
        score_value = _first(score, "baseValue") if score is not None else None
        tolerance = (equal.get("tolerance") or "0").split()
        mode = equal.get("toleranceMode", "exact")
        try:
            value = float(given.text) if given is not None and given.text else \
                float(right[0]) if right else float("nan")
            amount = float(tolerance[0])
            credit = float(score_value.text) / (question.marks or 1) \
                if score_value is not None and score_value.text else 1.0
        except ValueError:
            continue
        if math.isnan(value) or credit <= 0:
            continue
        question.numeric.append(NumericAnswer(
            value, amount / 100 if mode == "relative" else amount,
            "relative" if mode == "relative" else "absolute", min(credit, 1.0)))


# -- writing QTI 2.1 -------------------------------------------------------------------------


def _el(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    node = SubElement(parent, tag, attrs)
    if text is not None:
        node.text = text
    return node


def _item_xml(q: InterchangeQuestion, ident: str) -> bytes:
    # Plain names with the namespace declared as an attribute: ElementTree's
    # default_namespace refuses the (unqualified) attributes QTI uses.
    root = Element("assessmentItem",
                   {"xmlns": QTI21_NS, "identifier": ident, "title": q.name or q.text[:60],
                    "adaptive": "false", "timeDependent": "false"})
    kind = q.type
    cardinality = {ir.MULTIPLE_ANSWER: "multiple", ir.ORDERING: "ordered",
                   ir.MATCHING: "multiple"}.get(kind, "single")
    base = {ir.NUMERICAL: "float", ir.SHORT_ANSWER: "string", ir.DESCRIPTIVE: "string",
            ir.MATCHING: "directedPair"}.get(kind, "identifier")
    declaration = None
    if kind != ir.TEXT_ONLY:
        declaration = _el(root, "responseDeclaration", identifier="RESPONSE",
                          cardinality=cardinality, baseType=base)
    outcome = _el(root, "outcomeDeclaration", identifier="MAXSCORE", cardinality="single",
                  baseType="float")
    _el(_el(outcome, "defaultValue"), "value", f"{q.marks:g}")
    body = _el(root, "itemBody")
    _el(body, "p", q.text)
    correct = _el(declaration, "correctResponse") if declaration is not None else None
    if kind in (ir.MCQ, ir.MULTIPLE_ANSWER, ir.TRUE_FALSE):
        choices = q.choices if kind != ir.TRUE_FALSE else [
            Choice("True", 1.0 if q.truth else 0.0, q.true_feedback),
            Choice("False", 0.0 if q.truth else 1.0, q.false_feedback)]
        interaction = _el(body, "choiceInteraction", responseIdentifier="RESPONSE",
                          shuffle="false",
                          maxChoices="0" if kind == ir.MULTIPLE_ANSWER else "1")
        mapping = _el(declaration, "mapping", defaultValue="0") \
            if kind == ir.MULTIPLE_ANSWER else None
        best = max(range(len(choices)), key=lambda i: choices[i].credit, default=-1)
        for index, choice in enumerate(choices):
            ident = f"C{index}"
            simple = _el(interaction, "simpleChoice", choice.text, identifier=ident)
            if choice.feedback:
                _el(simple, "feedbackInline", choice.feedback, outcomeIdentifier="FEEDBACK",
                    identifier=ident, showHide="show")
            if (kind == ir.MULTIPLE_ANSWER and choice.credit > 0) or \
                    (kind != ir.MULTIPLE_ANSWER and index == best):
                _el(correct, "value", ident)
            if mapping is not None:
                _el(mapping, "mapEntry", mapKey=ident, mappedValue=f"{choice.credit:.10g}")
    elif kind == ir.SHORT_ANSWER:
        for choice in q.choices:
            _el(correct, "value", choice.text)
        mapping = _el(declaration, "mapping", defaultValue="0",
                      caseSensitive="true" if q.case_sensitive else "false")
        for choice in q.choices:
            _el(mapping, "mapEntry", mapKey=choice.text, mappedValue=f"{choice.credit:.10g}",
                caseSensitive="true" if q.case_sensitive else "false")
        _el(body, "textEntryInteraction", responseIdentifier="RESPONSE")
    elif kind == ir.NUMERICAL:
        # One branch per accepted value, best first: the first that matches sets SCORE to
        # its credit's share of MAXSCORE.
        answers = sorted(q.numeric or [NumericAnswer(0.0)], key=lambda a: -a.credit)
        _el(correct, "value", repr(answers[0].value))
        _el(body, "textEntryInteraction", responseIdentifier="RESPONSE")
        condition = _el(_el(root, "responseProcessing"), "responseCondition")
        for index, answer in enumerate(answers):
            branch = _el(condition, "responseIf" if index == 0 else "responseElseIf")
            mode = "relative" if answer.tolerance_type == "relative" else "absolute"
            amount = answer.tolerance * 100 if mode == "relative" else answer.tolerance
            equal = _el(branch, "equal", toleranceMode=mode,
                        tolerance=f"{amount!r} {amount!r}")
            _el(equal, "variable", identifier="RESPONSE")
            _el(equal, "baseValue", repr(answer.value), baseType="float")
            score = _el(branch, "setOutcomeValue", identifier="SCORE")
            _el(score, "baseValue", repr(answer.credit * q.marks), baseType="float")
    elif kind == ir.DESCRIPTIVE:
        _el(body, "extendedTextInteraction", responseIdentifier="RESPONSE")
    elif kind == ir.ORDERING:
        interaction = _el(body, "orderInteraction", responseIdentifier="RESPONSE",
                          shuffle="true")
        for index, item in enumerate(q.items):
            _el(interaction, "simpleChoice", item, identifier=f"I{index}")
            _el(correct, "value", f"I{index}")
    elif kind == ir.MATCHING:
        interaction = _el(body, "matchInteraction", responseIdentifier="RESPONSE",
                          shuffle="true", maxAssociations=str(len(q.pairs)))
        lefts = _el(interaction, "simpleMatchSet")
        rights = _el(interaction, "simpleMatchSet")
        for index, (left, right) in enumerate(q.pairs):
            _el(lefts, "simpleAssociableChoice", left, identifier=f"L{index}", matchMax="1")
            _el(rights, "simpleAssociableChoice", right, identifier=f"R{index}", matchMax="1")
            _el(correct, "value", f"L{index} R{index}")
    if q.feedback:
        _el(root, "modalFeedback", q.feedback, outcomeIdentifier="FEEDBACK",
            identifier="general", showHide="show")
    return xml_document(root)


def write(questions: Iterable[InterchangeQuestion]) -> bytes:
    """A QTI 2.1 content package: ``imsmanifest.xml`` and ``items/qN.xml``; each item's
    topic is its manifest resource's keyword (``<imsmd:keyword>``-free: a ``metadata``
    note), read back as the question's topic."""
    buffer = io.BytesIO()
    manifest = Element("manifest", xmlns=CP_NS, identifier="quizcore-export")
    SubElement(manifest, "organizations")
    resources = SubElement(manifest, "resources")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, question in enumerate(questions, start=1):
            ident = f"q{number}"
            href = f"items/{ident}.xml"
            archive.writestr(href, _item_xml(question, ident))
            resource = SubElement(resources, "resource", identifier=ident,
                                  type="imsqti_item_xmlv2p1", href=href)
            if question.topic:
                resource.set("topic", question.topic)
            SubElement(resource, "file", href=href)
        archive.writestr("imsmanifest.xml", xml_document(manifest))
    return buffer.getvalue()
