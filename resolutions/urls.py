from django.urls import path

from . import views

app_name = "resolutions"

urlpatterns = [
    path("cells/<int:pk>/resolutions/", views.cell_resolutions, name="list"),
    path("cells/<int:pk>/evidence/", views.cell_evidence, name="evidence"),
    path("meetings/<int:pk>/resolutions/new/", views.create, name="create"),
    path("resolutions/<int:pk>/", views.detail, name="detail"),
    path("resolutions/<int:pk>/edit/", views.edit, name="edit"),
    path("resolutions/<int:pk>/issue/", views.issue, name="issue"),
    path("resolutions/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("resolutions/<int:pk>/resolution.pdf", views.pdf, name="pdf"),
    path("resolutions/<int:pk>/resolution.docx", views.docx, name="docx"),
    path("resolutions/<int:pk>/render/", views.render_pdf, name="render"),
    path("resolutions/<int:pk>/review/", views.review, name="review"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/withdraw/", views.task_withdraw, name="task_withdraw"),
    path("resolutions/<int:pk>/tasks/from-minutes/", views.tasks_from_minutes, name="tasks_from_minutes"),
    path("my/tasks/", views.my_tasks, name="mine"),
    path("units/<int:pk>/directives/", views.directives, name="directives"),
    path("cells/<int:pk>/study/", views.study, name="study"),
    path("study/<int:pk>/essay/", views.essay, name="essay"),
]
