from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from anmian.web.accounts import clinic_views, session_views, token_views, twofactor_views, views
from anmian.web.accounts.forms import LoginForm

app_name = "accounts"
# The person's own data (download, a GP's record, deleting the account) are accounts' routes
# too, but exports' views: exports.urls.mine_patterns, joined to these in anmian/web/urls.py,
# so that accounts never imports exports (exports reads booking, which reads accounts).
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("activate/<uidb64>/<token>/", views.activate, name="activate"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("session/keep-alive/", session_views.keep_alive, name="keep_alive"),
    path("start/", views.start, name="start"),
    path("mine/", views.mine, name="mine"),
    path("clinics/", clinic_views.clinics, name="clinics"),
    path("invite/<str:token>/", clinic_views.invite, name="invite"),
    path("profile/", clinic_views.profile, name="profile"),
    path("mine/save/", views.save_current, name="save_current"),
    path("mine/assessments/<uuid:uid>/", views.assessment, name="assessment"),
    path("tokens/", token_views.tokens_page, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.revoke, name="revoke_token"),
    path("two-factor/", twofactor_views.manage, name="two_factor"),
    path("two-factor/enrol/", twofactor_views.enrol, name="two_factor_enrol"),
    path("two-factor/verify/", twofactor_views.verify, name="two_factor_verify"),
    path("two-factor/backup-codes/", twofactor_views.backup_codes, name="two_factor_backup_codes"),
    path("two-factor/off/", twofactor_views.turn_off, name="two_factor_off"),
]
