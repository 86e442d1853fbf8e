from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the link that confirms a new account's e-mail address. The account's active flag
    is part of the hash, so a link stops working once it has been used."""

    key_salt = "portal.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


email_confirmation_token = EmailConfirmationTokenGenerator()
