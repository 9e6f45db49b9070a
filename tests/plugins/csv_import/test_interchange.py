# ruff: noqa: E501 (the QTI and Moodle files below are kept as their tools write them)
"""Moodle XML, GIFT and QTI: import (real Moodle fixtures, per-question report, dry runs,
atomic imports, unsupported types skipped), export downloads, hostile files."""

from __future__ import annotations

import io
import pathlib
import zipfile

import pytest
import sqlalchemy as sa

from quiz_plugins.csv_import.interchange import bank, gift, ir, qti
from quiz_plugins.csv_import.interchange.ir import Choice, InterchangeQuestion, NumericAnswer
from quiz_plugins.csv_import.interchange.safety import Limits
from quizcore.models import Question, QuestionType
from tests import factories
from tests.helpers import assert_error
from tests.plugins.csv_import.files import upload, zip_bytes

pytestmark = pytest.mark.plugin("quiz_plugins.csv_import")

PATH = "/api/questions/import"
EXPORT = "/api/questions/export"
FIXTURES = pathlib.Path(__file__).parent / "interchange_fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def bank_of(dbsession, owner) -> list[Question]:
    return list(dbsession.scalars(sa.select(Question).where(Question.created_by == owner.id)
                                  .order_by(Question.created_at, Question.text)))


# -- real Moodle files -----------------------------------------------------------------------


def test_moodle_nested_categories_become_topics(testapp, teacher, auth, dbsession):
    body = upload(testapp, PATH, fixture("nested_categories_with_questions.xml"),
                  headers=auth(teacher), filename="q.xml", format="moodle_xml").json
    assert (body["imported"], body["skipped"], body["errors"]) == (5, 0, [])
    stored = {q.text: q for q in bank_of(dbsession, teacher)}
    assert stored["Testing Iota Question"].topic == "Iota"
    assert stored["Testing Lambda Question"].topic == "Iota/Kappa/Lambda"
    assert stored["Testing Kappa Essay Question"].type == QuestionType.DESCRIPTIVE
    assert stored["Testing Mu Question"].correct_answer == 0  # true
    assert {item["topic"] for item in body["imported_questions"]} == {
        "Iota", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"}


def test_moodle_embedded_files_are_dropped_with_a_warning(testapp, teacher, auth, dbsession):
    body = upload(testapp, PATH, fixture("truefalse.xml"), headers=auth(teacher),
                  filename="tf.xml", format="moodle_xml").json
    assert body["imported"] == 1 and body["warnings"] >= 1
    warnings = " ".join(body["imported_questions"][0]["warnings"])
    assert "logo.jpg" in warnings and "thumbup.jpg" in warnings
    question = bank_of(dbsession, teacher)[0]
    assert question.text.startswith("Moodle [Moodle logo] is an acronym")
    assert "@@PLUGINFILE@@" not in question.text and "base64" not in question.text
    assert question.correct_answer == 1  # false
    assert question.topic == "TrueFalse"


def test_moodle_gift_fixture_imports_and_reports_unsupported_types(testapp, teacher, auth,
                                                                    dbsession):
    body = upload(testapp, PATH, fixture("questions.gift.txt"), headers=auth(teacher),
                  filename="q.gift", format="gift").json
    types = set(bank.accepted_types())
    read = list(gift.read(fixture("questions.gift.txt"), Limits()))
    expected_skips = [q for q in read if q.type not in types]
    assert body["skipped"] == len(expected_skips)
    for item in body["skipped_questions"]:
        assert item["reason"] == f"type {item['type']} not supported by this bank"
    assert body["imported"] + body["skipped"] + len(body["errors"]) == len(read) == 9
    stored = bank_of(dbsession, teacher)
    assert len(stored) == body["imported"]
    short = next(q for q in stored if q.text == "Which is the best animal?")
    assert short.accepted_answers == ["Frog", "Cat"]  # the catch-all * is no answer
    mcq = next(q for q in stored if q.type == QuestionType.MCQ)
    assert (mcq.options, mcq.correct_answer) == (["yellow", "red", "blue"], 0)


def test_gift_syntax_read_into_the_interchange_model():
    questions = list(gift.read(fixture("questions.gift.txt"), Limits()))
    kinds = [q.type for q in questions]
    assert kinds == [ir.DESCRIPTIVE, ir.MATCHING, ir.MCQ, ir.MULTIPLE_ANSWER, ir.NUMERICAL,
                     ir.SHORT_ANSWER, ir.TRUE_FALSE, ir.TRUE_FALSE, ir.TRUE_FALSE]
    matching, mcq, multiple, numerical = questions[1:5]
    assert matching.pairs[3] == ("A collection of web pages that anyone can add to or edit.",
                                 "Wiki")
    assert any("Chat" in w for w in matching.warnings)
    assert mcq.choices[0].feedback == "right; good!"
    assert [c.credit for c in multiple.choices] == [0.5, -1.0, 0.5, -1.0]
    assert multiple.body()["correct_answers"] == [0, 2]
    assert multiple.body()["scoring"] == "partial_negative"
    assert (numerical.numeric[0].value, numerical.numeric[0].tolerance) == (3.0, 2.0)
    tf = questions[6]
    assert tf.truth is False and tf.feedback.startswith("This is, of course")
    assert tf.false_feedback == "You gave the right answer."
    assert questions[0].name == "Q8"


def test_gift_escapes_categories_ranges_weights_and_titles():
    text = ("$CATEGORY: $course$/top/Maths//Algebra\n\n"
            "// a comment\n"
            "::Title \\: with colon::What is 1\\=1\\{\\}? {=yes\\#1 ~no#\\~wrong}\n\n"
            "::Range::Pick 1 to 5 {#1..5}\n\n"
            "::Several::Pi? {#\n=%100%3.1416:0.0001\n=%50%3.14:0.01#close\n}\n\n"
            "Plain description text\n")
    questions = list(gift.read(text.encode(), Limits()))
    first, rng, several, description = questions
    assert first.topic == "Maths/Algebra" and first.name == "Title : with colon"
    assert first.text == "What is 1=1{}?"
    assert [(c.text, c.credit, c.feedback) for c in first.choices] == [
        ("yes#1", 1.0, None), ("no", 0.0, "~wrong")]
    assert (rng.numeric[0].value, rng.numeric[0].tolerance) == (3.0, 2.0)
    assert [(a.value, a.tolerance, a.credit) for a in several.numeric] == [
        (3.1416, 0.0001, 1.0), (3.14, 0.01, 0.5)]
    assert description.type == ir.TEXT_ONLY


# -- the mapping to the bank's body, every type ---------------------------------------------


def test_the_body_of_every_type_uses_the_api_field_names():
    def body(**kwargs):
        return InterchangeQuestion(text="T", **kwargs).body()

    assert body(type=ir.MCQ, choices=[Choice("a"), Choice("b", 1.0)])["correct_answer"] == 1
    multiple = body(type=ir.MULTIPLE_ANSWER, choices=[Choice("a", 0.5), Choice("b", 0.5),
                                                      Choice("c")])
    assert (multiple["options"], multiple["correct_answers"], multiple["scoring"]) == (
        ["a", "b", "c"], [0, 1], "partial")
    assert body(type=ir.TRUE_FALSE, truth=False)["correct_answer"] == 1
    short = body(type=ir.SHORT_ANSWER, choices=[Choice("Paris", 1.0)], case_sensitive=True)
    assert (short["accepted_answers"], short["case_sensitive"]) == (["Paris"], True)
    numeric = body(type=ir.NUMERICAL, numeric=[NumericAnswer(9.81, 0.05, "relative", 1.0)])
    assert numeric["numeric_answers"] == [{"value": 9.81, "tolerance": 0.05,
                                           "tolerance_type": "relative", "credit": 1.0}]
    assert body(type=ir.MATCHING, pairs=[("a", "1"), ("b", "2")])["pairs"] == [
        {"left": "a", "right": "1"}, {"left": "b", "right": "2"}]
    assert body(type=ir.ORDERING, items=["x", "y"])["items"] == ["x", "y"]
    essay = body(type=ir.DESCRIPTIVE, marking_rubric="R", sample_answer="S")
    assert (essay["marking_rubric"], essay["sample_answer"]) == ("R", "S")


def test_partial_credit_in_a_single_answer_question_warns():
    question = InterchangeQuestion(type=ir.MCQ, text="T", marks=2.5,
                                   choices=[Choice("a", 1.0), Choice("b", 0.5)])
    body = question.body()
    assert body["correct_answer"] == 0 and body["marks"] == 2
    assert any("partial credit" in w for w in question.warnings)
    assert any("rounded" in w for w in question.warnings)


# -- dry run, atomic, owners -----------------------------------------------------------------

BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?><quiz>
<question type="multichoice"><name><text>ok</text></name>
<questiontext format="plain_text"><text>Fine?</text></questiontext>
<answer fraction="100"><text>yes</text></answer><answer fraction="0"><text>no</text></answer>
</question>
<question type="multichoice"><name><text>one option</text></name>
<questiontext format="plain_text"><text>Only one</text></questiontext>
<answer fraction="100"><text>alone</text></answer></question>
<question type="calculated"><name><text>calc</text></name>
<questiontext format="plain_text"><text>{a}+{b}</text></questiontext></question>
</quiz>"""


def test_dry_run_reports_and_writes_nothing(testapp, teacher, auth, dbsession):
    body = upload(testapp, PATH, BROKEN, headers=auth(teacher), filename="q.xml",
                  format="moodle_xml", dry_run="true").json
    assert (body["imported"], body["skipped"], len(body["errors"])) == (1, 1, 1)
    assert body["imported_questions"][0]["id"] is None
    assert body["skipped_questions"][0]["reason"] == "type calculated not supported by this bank"
    assert "options" in body["errors"][0]["error"]
    assert bank_of(dbsession, teacher) == []


def test_atomic_import_with_an_error_writes_nothing(testapp, teacher, auth, dbsession):
    response = upload(testapp, PATH, BROKEN, headers=auth(teacher), filename="q.xml",
                      format="moodle_xml", atomic="true", status=400)
    body = assert_error(response, 400)
    assert body["errors"][0]["name"] == "file"
    assert bank_of(dbsession, teacher) == []
    partial = upload(testapp, PATH, BROKEN, headers=auth(teacher), filename="q.xml",
                     format="moodle_xml").json
    assert partial["imported"] == 1 and len(bank_of(dbsession, teacher)) == 1


def test_admin_imports_into_a_named_teachers_bank_and_teachers_cannot(
        testapp, admin, teacher, other_teacher, auth, dbsession):
    data = fixture("nested_categories_with_questions.xml")
    upload(testapp, PATH, data, headers=auth(admin), filename="q.xml", format="moodle_xml",
           teacher_id=teacher.id)
    assert len(bank_of(dbsession, teacher)) == 5
    refused = upload(testapp, PATH, data, headers=auth(other_teacher), filename="q.xml",
                     format="moodle_xml", teacher_id=teacher.id, status=403)
    assert_error(refused, 403)
    bad = upload(testapp, PATH, data, headers=auth(teacher), filename="q.xml", format="docx",
                 status=400)
    assert_error(bad, 400)


# -- hostile files ---------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><questiontext><text>&x;</text></questiontext></question></quiz>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz>&lol3;</quiz>"""


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", b"<manifest/>")
        archive.writestr("items/big.xml", b" " * (20 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize("name, data, file_format, words", [
    ("xxe", XXE, "moodle_xml", "DTD"),
    ("laughs", LAUGHS, "qti", "DTD"),
    ("truncated", BROKEN[:200], "moodle_xml", "not well-formed"),
    ("latin1", '<?xml version="1.0" encoding="UTF-8"?><quiz><question type="essay">'
               '<questiontext><text>café</text></questiontext></question></quiz>'
               .encode("latin-1"), "moodle_xml", "encoding"),
    ("gift-latin1", "::T::Café? {T}".encode("latin-1"), "gift", "UTF-8"),
    ("attribute", b'<quiz><question type="essay" x="' + b"a" * 70_000 + b'"/></quiz>',
     "moodle_xml", "attribute"),
    ("bomb", _bomb(), "qti", "inflates"),
    ("slip", zip_bytes({"imsmanifest.xml": b"<manifest/>", "../../etc/evil.xml": b"<x/>"}),
     "qti", "outside"),
    ("no-manifest", zip_bytes({"item.xml": b"<x/>"}), "qti", "imsmanifest"),
    ("not-moodle", b"<html/>", "moodle_xml", "<quiz>"),
])
def test_hostile_files_get_a_clear_400_and_nothing_is_written(
        name, data, file_format, words, testapp, teacher, auth, dbsession):
    response = upload(testapp, PATH, data, headers=auth(teacher), filename=name,
                      format=file_format, status=400)
    body = assert_error(response, 400)
    assert words in body["message"], body["message"]
    assert body["errors"][0]["name"] == "file"
    assert bank_of(dbsession, teacher) == []


def test_too_many_questions_is_refused(app_with, teacher, auth, dbsession):
    client = app_with(**{"quizcore.csv_import.interchange.max_questions": "3"})
    data = ("\n\n".join(f"Q{n}? {{T}}" for n in range(4))).encode()
    response = upload(client, PATH, data, headers=auth(teacher), filename="q.gift",
                      format="gift", status=400)
    assert "more than 3" in assert_error(response, 400)["message"]
    assert bank_of(dbsession, teacher) == []


# -- QTI -------------------------------------------------------------------------------------

CANVAS_ITEMS = b"""<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="g1" title="Week 1">
    <section ident="root_section">
      <item ident="i1" title="Capital">
        <itemmetadata><qtimetadata>
          <qtimetadatafield><fieldlabel>question_type</fieldlabel>
            <fieldentry>multiple_choice_question</fieldentry></qtimetadatafield>
          <qtimetadatafield><fieldlabel>points_possible</fieldlabel>
            <fieldentry>2.0</fieldentry></qtimetadatafield>
        </qtimetadata></itemmetadata>
        <presentation>
          <material><mattext texttype="text/html">&lt;p&gt;Capital of France?&lt;/p&gt;</mattext></material>
          <response_lid ident="response1" rcardinality="Single"><render_choice>
            <response_label ident="a1"><material><mattext texttype="text/plain">Lyon</mattext></material></response_label>
            <response_label ident="a2"><material><mattext texttype="text/plain">Paris</mattext></material></response_label>
          </render_choice></response_lid>
        </presentation>
        <resprocessing>
          <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
          <respcondition continue="No"><conditionvar><varequal respident="response1">a2</varequal></conditionvar>
            <setvar action="Set" varname="SCORE">100</setvar></respcondition>
        </resprocessing>
      </item>
      <item ident="i2" title="TF">
        <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel>
          <fieldentry>true_false_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
        <presentation><material><mattext texttype="text/html">Water is wet.</mattext></material>
          <response_lid ident="response1" rcardinality="Single"><render_choice>
            <response_label ident="t"><material><mattext>True</mattext></material></response_label>
            <response_label ident="f"><material><mattext>False</mattext></material></response_label>
          </render_choice></response_lid></presentation>
        <resprocessing><respcondition continue="No"><conditionvar><varequal respident="response1">t</varequal></conditionvar>
          <setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing>
      </item>
      <item ident="i3" title="Blank">
        <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel>
          <fieldentry>short_answer_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
        <presentation><material><mattext>The symbol of water is ___.</mattext></material>
          <response_str ident="response1" rcardinality="Single"><render_fib><response_label ident="answer1" rshuffle="No"/></render_fib></response_str></presentation>
        <resprocessing><respcondition continue="No"><conditionvar>
          <varequal respident="response1">H2O</varequal><varequal respident="response1">h2o</varequal></conditionvar>
          <setvar action="Set" varname="SCORE">100</setvar></respcondition></resprocessing>
      </item>
      <item ident="i4" title="Calc">
        <itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type</fieldlabel>
          <fieldentry>calculated_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>
        <presentation><material><mattext>[x] + 1</mattext></material></presentation>
      </item>
    </section>
  </assessment>
</questestinterop>"""
CANVAS_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <resources>
    <resource identifier="g1" type="imsqti_xmlv1p2"><file href="g1/g1.xml"/></resource>
    <resource identifier="g1_meta" type="associatedcontent/imscc_xmlv1p1/learning-application-resource" href="g1/assessment_meta.xml"><file href="g1/assessment_meta.xml"/></resource>
  </resources>
</manifest>"""


def test_canvas_qti_12_package(testapp, teacher, auth, dbsession):
    package = zip_bytes({"imsmanifest.xml": CANVAS_MANIFEST, "g1/g1.xml": CANVAS_ITEMS,
                         "g1/assessment_meta.xml": b"<quiz/>"})
    body = upload(testapp, PATH, package, headers=auth(teacher), filename="canvas.zip",
                  format="qti").json
    assert (body["imported"], body["skipped"]) == (3, 1)
    assert body["skipped_questions"][0]["reason"] == \
        "type calculated_question not supported by this bank"
    mcq, tf, short = sorted(bank_of(dbsession, teacher), key=lambda q: q.text)[0:3]
    stored = {q.text: q for q in bank_of(dbsession, teacher)}
    capital = stored["Capital of France?"]
    assert (capital.options, capital.correct_answer, capital.marks) == (["Lyon", "Paris"], 1, 2)
    assert stored["Water is wet."].correct_answer == 0
    assert stored["The symbol of water is ___."].accepted_answers == ["H2O", "h2o"]


def test_canvas_question_bank_export(testapp, teacher, auth, dbsession):
    """A real Canvas question bank (QTI 1.2 objectbank) with HTML text and feedback."""
    body = upload(testapp, PATH, fixture("canvas/multiple_choice_html.xml"),
                  headers=auth(teacher), filename="bank.xml", format="qti").json
    assert (body["imported"], body["skipped"], body["errors"]) == (1, 0, [])
    (question,) = bank_of(dbsession, teacher)
    assert (question.type, question.text, question.options, question.correct_answer,
            question.marks) == (QuestionType.MCQ, "html for fun",
                                ["html answer 1", "html answer 2"], 0, 10)
    assert question.details["feedback"] == "meh"
    assert question.details["option_feedback"] == ["comment", "comment"]


def test_canvas_items_converted_to_qti_21(testapp, teacher, auth, dbsession):
    """Canvas's own QTI 2.1 items: points in its instructureMetadata, the right answer and
    per-answer feedback only in the response processing (no correctResponse)."""
    items = ("canvas/true_false.xml", "canvas/essay.xml")
    manifest = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>""" + b"".join(
        b'<resource identifier="r%d" type="imsqti_item_xmlv2p1" href="%s"/>' % (i, name.encode())
        for i, name in enumerate(items)) + b"</resources></manifest>"
    package = zip_bytes({"imsmanifest.xml": manifest,
                         **{name: fixture(name) for name in items}})
    body = upload(testapp, PATH, package, headers=auth(teacher), filename="canvas.zip",
                  format="qti").json
    assert (body["imported"], body["errors"]) == (2, [])
    stored = {q.type: q for q in bank_of(dbsession, teacher)}
    true_false = stored[QuestionType.TRUE_FALSE]
    assert true_false.text.startswith("Generating QTI is\nsuper awesome!")
    assert (true_false.correct_answer, true_false.marks) == (1, 10)  # false is right
    assert true_false.details["false_feedback"] == "You're an idiot."
    essay = stored[QuestionType.DESCRIPTIVE]
    assert essay.marks == 6 and essay.details["feedback"] == "You're wrong."
    assert essay.text.startswith("Why do we have so many types now\u203d")


def test_qti_21_single_item_file():
    item = b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="o1" title="Order">
  <responseDeclaration identifier="RESPONSE" cardinality="ordered" baseType="identifier">
    <correctResponse><value>B</value><value>A</value></correctResponse></responseDeclaration>
  <itemBody><p>Order them</p><orderInteraction responseIdentifier="RESPONSE">
    <simpleChoice identifier="A">second</simpleChoice><simpleChoice identifier="B">first</simpleChoice>
  </orderInteraction></itemBody></assessmentItem>"""
    (question,) = qti.read(item, Limits())
    assert (question.type, question.text, question.items) == (ir.ORDERING, "Order them",
                                                              ["first", "second"])


# -- export ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format, disposition", [
    ("moodle_xml", ".xml"), ("gift", ".gift.txt"), ("qti", ".zip")])
def test_export_downloads_the_teachers_own_bank(file_format, disposition, testapp, teacher,
                                                other_teacher, auth, dbsession):
    factories.QuestionFactory(owner=teacher, text="Mine?", topic="Numbers")
    factories.QuestionFactory(owner=other_teacher, text="Theirs?")
    response = testapp.get(EXPORT, {"format": file_format}, headers=auth(teacher))
    assert "attachment" in response.headers["Content-Disposition"]
    assert disposition in response.headers["Content-Disposition"]
    questions = list(bank.READERS[file_format](response.body, Limits()))
    assert [(q.text, q.topic) for q in questions] == [("Mine?", "Numbers")]


def test_export_of_a_quiz_another_teacher_owns_is_404(testapp, teacher, other_teacher, auth,
                                                      dbsession):
    question = factories.QuestionFactory(owner=other_teacher)
    quiz = factories.QuizFactory(owner=other_teacher, questions=[question])
    response = testapp.get(EXPORT, {"format": "gift", "quiz_id": quiz.id},
                           headers=auth(teacher), status=404)
    assert_error(response, 404)
    own = testapp.get(EXPORT, {"format": "gift", "quiz_id": quiz.id},
                      headers=auth(other_teacher))
    assert question.text.split(":")[0] in own.body.decode()


def test_export_then_import_into_an_empty_bank_over_the_api(testapp, teacher, other_teacher,
                                                             auth, dbsession):
    factories.QuestionFactory(owner=teacher, text="Pick two", topic="A/B", marks=3)
    factories.TrueFalseQuestionFactory(owner=teacher, text="Sky is blue", topic=None)
    for file_format in ("moodle_xml", "gift", "qti"):
        exported = testapp.get(EXPORT, {"format": file_format}, headers=auth(teacher)).body
        body = upload(testapp, PATH, exported, headers=auth(other_teacher), filename="x",
                      format=file_format, dry_run="true").json
        assert body["imported"] == 2 and body["errors"] == [], file_format
