"""The public pages of the 项目展示推广网络平台 (no login): the 实验校 list with its filters and search,
a 实验校's page, one published 建设动态, and the home page with the latest news and 成果展示. Reads
only (GET and HEAD); what they show is programme.showcase_public's."""
from django.shortcuts import render
from django.views.decorators.http import require_safe

from applications import views as applications_views
from portal import policy
from programme import showcase_public
from programme.models import ExperimentStatus


@require_safe
def home(request):
    """The home page (applications.views.home: the open batch and its provincial windows) with the
    programme's latest 建设动态 and the 成果展示 the project group featured, when there are some.
    applications may not import programme: the two meet here, as the dashboard does."""
    policy.public(request.user)
    return applications_views.home(request, extra_context={"showcase": showcase_public.home_showcase()})


@require_safe
def school_list(request):
    """Every current 实验校 (实验中; the 已结项 ones on request), by province and name, with filters by
    province, school type, project category and batch and a search of school and project names."""
    policy.public(request.user)
    form = showcase_public.ShowcaseFilterForm(request.GET or None)
    filters = form.chosen()
    page = showcase_public.school_list(filters, request.GET.get("page"))
    # The filters in the page links, without the page itself.
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "programme/showcase/public_list.html", {
        "form": form, "page": page, "filtered": bool(filters.keys() - {"status"}),
        "completed": filters.get("status") == "completed", "query": query.urlencode(),
    })  # fmt: skip


@require_safe
def school(request, pk):
    """A 实验校's public page: its school, province, type, batch and projects, its 成果 (posts the
    project group featured) and its published 建设动态, newest first, paginated."""
    experiment_school = policy.get_public_experiment_school(request.user, pk)
    page = showcase_public.school_page(experiment_school, request.GET.get("page"))
    return render(request, "programme/showcase/public_school.html", {
        "page": page, "experiment_school": experiment_school, "completed": experiment_school.status == ExperimentStatus.COMPLETED,
    })  # fmt: skip


@require_safe
def post(request, pk):
    """One published 建设动态 with its photos (thumbnails that open the full size) and attachment."""
    found = policy.get_public_post(request.user, pk)
    return render(request, "programme/showcase/public_post.html", {
        "post": found, "experiment_school": found.experiment_school, "photos": showcase_public.post_with_photos(found),
    })  # fmt: skip
