from django.contrib import admin

from luodi.collab.models import Comment, Feedback


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "objective", "author", "created_at")
    list_filter = ("organization",)
    raw_id_fields = ("objective", "key_result", "checkin", "author")
    readonly_fields = ("body_html",)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "kind", "giver", "receiver", "created_at")
    list_filter = ("organization", "kind")
    raw_id_fields = ("objective", "checkin", "giver", "receiver")
    readonly_fields = ("body_html",)
