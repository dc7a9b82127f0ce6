"""
How a signed-in user is loaded, by session (site and admin) or by API token: with the scope stamp
(`accounts/scope_stamp.py`) read in the same query, so a request whose user's scope is remembered reads no roles.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts.models import ScopeStamp


def _stamp():
    return Subquery(ScopeStamp.objects.values("value")[:1])


class StampedModelBackend(ModelBackend):
    """Django's own backend; the user of a session comes with the scope stamp."""

    def get_user(self, user_id):
        users = get_user_model()._default_manager.annotate(scope_stamp=_stamp())
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class StampedTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; the token's user comes with the scope stamp."""

    def authenticate_credentials(self, key):
        tokens = self.get_model().objects.select_related("user").annotate(scope_stamp=_stamp())
        try:
            token = tokens.get(key=key)
        except tokens.model.DoesNotExist:
            raise AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        token.user.scope_stamp = token.scope_stamp
        return (token.user, token)
