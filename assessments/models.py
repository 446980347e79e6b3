"""Question banks, quizzes (tests and surveys), attempts and their answers, rubrics, survey
invitations.

A quiz is not a page: it is placed in lessons by a block (`assessments.blocks.QuizBlock`) and
belongs to a course (the default-locale page) when it is that course's pre-test, post-test,
final exam or survey. Texts are held in the four languages in one JSON field each
(`assessments.i18n`)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import StreamField
from wagtail.models import Orderable

from .blocks import RubricCriterionBlock
from .html import html_texts
from .i18n import TranslatedTextField, local

ZERO = Decimal("0")


class QuestionBank(models.Model):
    name = TranslatedTextField(_("name"))
    description = TranslatedTextField(_("description"), blank=True, multiline=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return local(self.name) or f"#{self.pk}"


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey(
        "assessments.Question", on_delete=models.CASCADE, related_name="tagged_items"
    )


class Rubric(models.Model):
    """Criteria × levels for work a person grades (essays, case-study assignments). Each level
    carries points; a graded answer scores the chosen levels' points over the best levels'
    points, scaled to the question's mark."""

    name = TranslatedTextField(_("name"))
    criteria = StreamField(
        [("criterion", RubricCriterionBlock())],
        verbose_name=_("criteria"),
        min_num=1,
    )

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")

    def __str__(self) -> str:
        return local(self.name) or f"#{self.pk}"

    def rows(self) -> list[dict]:
        """The criteria as plain data: ``[{"title", "description", "levels": [{"label",
        "points", "description"}]}]``, texts as language dicts."""
        rows = []
        for block in self.criteria:
            value = block.value
            rows.append(
                {
                    "title": dict(value["title"]),
                    "description": dict(value["description"]),
                    "levels": [
                        {
                            "label": dict(level["label"]),
                            "points": float(level["points"]),
                            "description": dict(level["description"]),
                        }
                        for level in value["levels"]
                    ],
                }
            )
        return rows


class Question(ClusterableModel):
    class Type(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TRUE_FALSE = "true_false", _("True or false")
        SHORT = "short", _("Short answer")
        NUMERIC = "numeric", _("Numeric")
        MATCHING = "matching", _("Matching")
        ORDERING = "ordering", _("Ordering")
        LIKERT = "likert", _("Likert scale")
        ESSAY = "essay", _("Essay (graded by a person)")

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="questions"
    )
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("For finding the question; learners do not see it.")
    )
    text = TranslatedTextField(_("question"), multiline=True)
    general_feedback = TranslatedTextField(
        _("feedback"),
        blank=True,
        multiline=True,
        help_text=_("Shown with the result, whatever the answer."),
    )
    mark = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(ZERO)],
    )
    correct = models.BooleanField(
        _("the statement is true"), null=True, blank=True, help_text=_("True or false only.")
    )
    case_sensitive = models.BooleanField(_("answers are case-sensitive"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle the options"), default=True)
    rubric = models.ForeignKey(
        Rubric,
        verbose_name=_("rubric"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("Essays: the grader marks each criterion at a level."),
    )
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    source = models.CharField(_("imported from"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    #: Types whose answers the platform can mark; the rest wait for a grader (essay) or are
    #: not marked at all (Likert).
    AUTOMATIC = {
        Type.SINGLE,
        Type.MULTIPLE,
        Type.TRUE_FALSE,
        Type.SHORT,
        Type.NUMERIC,
        Type.MATCHING,
        Type.ORDERING,
    }

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["bank", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_scored(self) -> bool:
        return self.type != self.Type.LIKERT

    def clean(self) -> None:
        if self.type == self.Type.TRUE_FALSE and self.correct is None:
            raise ValidationError({"correct": _("Say whether the statement is true.")})
        if self.type == self.Type.LIKERT:
            self.mark = ZERO

    def save(self, *args, **kwargs):
        # Whoever wrote it (an editor, a Moodle file), only plain formatting reaches learners.
        self.text = html_texts(self.text, paragraphs=True)
        self.general_feedback = html_texts(self.general_feedback, paragraphs=True)
        return super().save(*args, **kwargs)


class Choice(Orderable):
    """An option (single and multiple choice), an accepted answer (short answer, numeric), a
    pair (matching: ``text`` → ``match``) or an item in its right place (ordering)."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = TranslatedTextField(_("text"), blank=True)
    match = TranslatedTextField(_("matches"), blank=True, help_text=_("Matching only."))
    percent = models.DecimalField(
        _("credit (%)"),
        max_digits=6,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(Decimal("-100")), MaxValueValidator(Decimal("100"))],
        help_text=_("100 for a right answer; parts of 100 for partly right; negative to penalise."),
    )
    value = models.FloatField(_("number"), null=True, blank=True, help_text=_("Numeric only."))
    tolerance = models.FloatField(_("tolerance (±)"), default=0, validators=[MinValueValidator(0)])
    feedback = TranslatedTextField(_("feedback"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return local(self.text) or str(self.value)

    def save(self, *args, **kwargs):
        self.text = html_texts(self.text)
        self.feedback = html_texts(self.feedback)
        return super().save(*args, **kwargs)


class Quiz(ClusterableModel):
    class Purpose(models.TextChoices):
        KNOWLEDGE_CHECK = "check", _("Knowledge check")
        PRE_TEST = "pre", _("Pre-test")
        POST_TEST = "post", _("Post-test")
        FINAL_EXAM = "final", _("Final exam")
        SURVEY = "survey", _("Survey")

    class Feedback(models.TextChoices):
        IMMEDIATE = "immediate", _("Score, right answers and feedback after each attempt")
        AFTER_LAST = "after_last", _("Score after each attempt; right answers once passed or out of attempts")  # fmt: skip  # noqa: E501
        SCORE_ONLY = "score", _("Score only")
        NONE = "none", _("Nothing (e.g. a pre-test)")

    class SurveyKind(models.TextChoices):
        REACTION = "reaction", _("Reaction, at course completion")
        FOLLOW_UP = "follow_up", _("Follow-up of the learner, months later")
        FOLLOW_UP_SUPERVISOR = "follow_up_supervisor", _("Follow-up of the supervisor, months later")  # fmt: skip  # noqa: E501

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = TranslatedTextField(_("title"))
    intro = TranslatedTextField(_("introduction"), blank=True, multiline=True)
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.KNOWLEDGE_CHECK
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"locale__language_code": settings.LANGUAGE_CODE},
        help_text=_("Pre- and post-tests, final exams and surveys belong to a course."),
    )
    shuffle_questions = models.BooleanField(_("shuffle the questions"), default=False)
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=0, help_text=_("0 for as many as the learner wants.")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Enforced by the server; answers after the limit are not accepted."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Leave empty when there is nothing to pass (pre-tests, surveys)."),
    )
    feedback = models.CharField(
        _("feedback to the learner"),
        max_length=20,
        choices=Feedback.choices,
        default=Feedback.IMMEDIATE,
    )
    survey_kind = models.CharField(
        _("survey kind"), max_length=30, choices=SurveyKind.choices, blank=True
    )
    months_after = models.PositiveSmallIntegerField(
        _("months after completion"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("Follow-up surveys: sent this many months after the course is completed."),
    )
    reminder_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        default=7,
        help_text=_("Surveys: a reminder when no answer came after this many days."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quiz or survey")
        verbose_name_plural = _("quizzes and surveys")
        ordering = ["pk"]
        permissions = [("view_results", _("Can see test and survey results in their scope"))]

    def __str__(self) -> str:
        return local(self.title) or f"#{self.pk}"

    @property
    def is_survey(self) -> bool:
        return self.purpose == self.Purpose.SURVEY

    @property
    def needs_pass(self) -> bool:
        return self.pass_mark is not None and not self.is_survey

    def clean(self) -> None:
        errors = {}
        if self.is_survey:
            if not self.survey_kind:
                errors["survey_kind"] = _("Say when the survey is sent.")
            if self.survey_kind and self.survey_kind != self.SurveyKind.REACTION:
                if not self.months_after:
                    errors["months_after"] = _("Say how many months after completion.")
            if self.survey_kind and not self.course_id:
                errors["course"] = _("A survey sent at or after completion needs its course.")
            self.pass_mark = None
        elif self.survey_kind:
            errors["survey_kind"] = _("Only surveys have a survey kind.")
        if self.purpose in (self.Purpose.PRE_TEST, self.Purpose.POST_TEST) and not self.course_id:
            errors["course"] = _("Pre- and post-tests are compared within their course.")
        if self.purpose == self.Purpose.FINAL_EXAM and not self.course_id:
            errors["course"] = _("A final exam belongs to its course.")
        if errors:
            raise ValidationError(errors)


class QuizSlot(Orderable):
    """One place in a quiz: a fixed question, or N questions drawn at random from a bank
    (optionally only those with a tag) when an attempt starts."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("or draw from bank"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tag = models.CharField(_("with tag"), max_length=100, blank=True)
    count = models.PositiveSmallIntegerField(
        _("number to draw"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta(Orderable.Meta):
        verbose_name = _("question slot")
        verbose_name_plural = _("questions")

    def clean(self) -> None:
        if bool(self.question_id) == bool(self.bank_id):
            raise ValidationError(_("Choose a question, or a bank to draw from — not both."))


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Waiting for grading")
        GRADED = "graded", _("Graded")

    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    enrolment = models.ForeignKey(
        "learning.Enrolment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quiz_attempts",
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The lesson (default locale) the quiz was taken in."),
    )
    #: For a supervisor's follow-up survey: the person the answers are about.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    deadline = models.DateTimeField(_("time runs out at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True)
    max_score = models.DecimalField(_("out of"), max_digits=8, decimal_places=2, default=ZERO)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True)
    passed = models.BooleanField(_("passed"), null=True)
    #: The questions as delivered: [{"question": id, "choices": [ids in the order shown]}].
    layout = models.JSONField(default=list)

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        # Two partial indexes each instead of one with a nullable column: SQLite has no
        # NULLS NOT DISTINCT, and a NULL `about` must count as one value.
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "learner", "number"],
                condition=models.Q(about__isnull=True),
                name="one_attempt_number",
            ),
            models.UniqueConstraint(
                fields=["quiz", "learner", "about", "number"],
                condition=models.Q(about__isnull=False),
                name="one_attempt_number_about",
            ),
            models.UniqueConstraint(
                fields=["quiz", "learner"],
                condition=models.Q(status="in_progress", about__isnull=True),
                name="one_open_attempt",
            ),
            models.UniqueConstraint(
                fields=["quiz", "learner", "about"],
                condition=models.Q(status="in_progress", about__isnull=False),
                name="one_open_attempt_about",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"], name="attempt_status_deadline")]

    def __str__(self) -> str:
        return f"{self.quiz_id}/{self.learner_id} #{self.number}"

    def time_left(self, now=None) -> float | None:
        """Seconds left, or None without a time limit."""
        if self.deadline is None:
            return None
        return max(0.0, (self.deadline - (now or timezone.now())).total_seconds())

    def expired(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    position = models.PositiveSmallIntegerField()
    response = models.JSONField(_("response"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"), null=True, blank=True)
    score = models.DecimalField(
        _("score"), max_digits=8, decimal_places=2, null=True, blank=True
    )  # None: not marked yet (an essay waiting for its grader), or not marked at all (Likert)
    max_score = models.DecimalField(_("out of"), max_digits=8, decimal_places=2, default=ZERO)
    needs_grading = models.BooleanField(default=False)
    rubric_levels = models.JSONField(_("rubric levels"), default=list, blank=True)
    grader_feedback = models.TextField(_("feedback from the grader"), blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="one_answer_per_question")
        ]
        indexes = [
            models.Index(
                fields=["needs_grading"],
                condition=models.Q(needs_grading=True),
                name="answer_needs_grading",
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}: {self.question_id}"


class SurveyInvitation(models.Model):
    """An invitation to answer a survey about a completed course: the learner's reaction at
    completion, a follow-up of the learner or of the learner's supervisor months later."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="invitations")
    enrolment = models.ForeignKey(
        "learning.Enrolment", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a supervisor: the person the survey asks about."),
    )
    send_on = models.DateField(_("send on"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    attempt = models.OneToOneField(
        Attempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitation"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "enrolment", "respondent"], name="one_invitation_per_survey"
            )
        ]
        indexes = [models.Index(fields=["send_on", "sent_at"], name="invitation_due")]

    def __str__(self) -> str:
        return f"{self.quiz_id} → {self.respondent_id}"


class ImportJob(models.Model):
    """A GIFT or Moodle XML file imported into a bank by a Celery worker: all questions that
    can be imported are, and every one that cannot is listed with its reason."""

    class Format(models.TextChoices):
        GIFT = "gift", _("GIFT")
        MOODLE_XML = "moodle_xml", _("Moodle XML")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a worker")
        RUNNING = "running", _("Importing")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    bank = models.ForeignKey(
        QuestionBank, verbose_name=_("bank"), on_delete=models.CASCADE, related_name="imports"
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    language = models.CharField(_("language of the file"), max_length=10, default="uz")
    skip_problems = models.BooleanField(
        _("import what can be imported and skip the rest"),
        default=False,
        help_text=_("Otherwise nothing is imported while any question has a problem."),
    )
    file = models.FileField(_("file"), upload_to="assessments/imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    total = models.PositiveIntegerField(_("questions in the file"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    problems = models.JSONField(_("problems"), default=list)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("question import")
        verbose_name_plural = _("question imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(99, round(100 * self.processed / self.total)) if self.total else 0
