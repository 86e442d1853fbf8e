"""The forms of the 建设动态 pages: the school's post (title, text; photos and the attachment are
read from the request's files by the view, several photos at once), the project group's reason
(退回, 撤下), queue filters and a school's 推荐语."""
from django import forms

from applications.models import Batch
from portal.models import Province
from programme.models import PostState
from programme.showcase import BODY_MAX_CHARS, REASON_MAX_CHARS, TITLE_MAX_CHARS


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PostForm(forms.Form):
    title = forms.CharField(label="标题", max_length=TITLE_MAX_CHARS, error_messages={"required": "请填写标题。"})
    body = forms.CharField(label="正文", required=False, widget=forms.Textarea(attrs={"rows": 10}), max_length=BODY_MAX_CHARS,
                           help_text=f"最多 {BODY_MAX_CHARS} 字；空行分段。")  # fmt: skip
    # Not cleaned by the form (Django's FileField takes one file): the view passes each file of
    # request.FILES.getlist("photos") to programme.showcase.post_photo_add, whose errors land here.
    photos = forms.Field(
        label="照片", required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*", "multiple": True}),
        help_text="最多 9 张，可一次选择多张；JPEG、PNG 或 WebP。上传后自动压缩，并去除拍摄地点等信息。",
    )  # fmt: skip
    attachment = forms.FileField(label="附件（PDF，可选）", required=False, widget=forms.FileInput(attrs={"accept": "application/pdf"}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_photos(self):
        return None


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因（学校可见）", max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写原因，学校将看到这段说明。"})  # fmt: skip


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", choices=[c for c in PostState.choices if c[0] != PostState.DRAFT], required=False)
    batch = forms.ModelChoiceField(label="批次", queryset=Batch.objects.filter(published_at__isnull=False), required=False, empty_label="全部批次")
    province = forms.ModelChoiceField(label="省份", queryset=Province.objects.all(), required=False, empty_label="全部省份")


class FeatureSchoolForm(forms.Form):
    note = forms.CharField(label="推荐语（可选）", max_length=200, required=False)
