from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from anmian.knowledge import get_kb


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    kb = get_kb()
    return render(request, "core/home.html", {"kb": kb, "disclaimer": kb.rules.disclaimer})
