from wagtail.test.utils import WagtailPageTestCase

from content.models import HomePage, StandardPage
from courses.models import CataloguePage, CoursePage, LessonPage, ModulePage, ProgrammePage


class CurriculumTreeTests(WagtailPageTestCase):
    def test_each_level_sits_under_the_one_above(self):
        self.assertCanCreateAt(HomePage, CataloguePage)
        self.assertCanCreateAt(CataloguePage, ProgrammePage)
        self.assertCanCreateAt(ProgrammePage, CoursePage)
        self.assertCanCreateAt(CoursePage, ModulePage)
        self.assertCanCreateAt(ModulePage, LessonPage)

    def test_levels_cannot_be_skipped(self):
        self.assertCanNotCreateAt(CataloguePage, CoursePage)
        self.assertCanNotCreateAt(ProgrammePage, LessonPage)
        self.assertCanNotCreateAt(CoursePage, LessonPage)
        self.assertCanNotCreateAt(HomePage, ProgrammePage)

    def test_allowed_children(self):
        self.assertAllowedSubpageTypes(HomePage, {CataloguePage, StandardPage})
        self.assertAllowedSubpageTypes(CoursePage, {ModulePage})
        self.assertAllowedSubpageTypes(LessonPage, set())
