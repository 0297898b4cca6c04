"""The site's URLs plus the bare baselines the benchmarks compare against."""

from django.urls import path

from bench import baselines
from config.urls import urlpatterns as site

urlpatterns = [
    path("bench/bare-projects/", baselines.bare_projects),
    *site,
]
