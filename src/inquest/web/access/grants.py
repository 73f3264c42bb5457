"""Role grants: which user holds which role of the matrix, given by whom, until when."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RoleGrant(models.Model):
    """A role given to a user by someone, until revoked. Roles are named in the matrix file."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(max_length=64)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="access_one_active_grant_per_role",
            ),
        )

    def __str__(self) -> str:
        return f"{self.role} for user {self.user_id}"
