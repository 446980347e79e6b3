from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Locale, Page

PAGE_SIZE = 20


def search(request):
    """Site search over the live pages of the active language (Wagtail's database backend)."""
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.none()
    if query:
        results = Page.objects.live().filter(locale=Locale.get_active()).specific().search(query)
    page_obj = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "content/search.html",
        {"query": query, "page_obj": page_obj, "filter_query": f"q={query}" if query else ""},
    )
