from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Spoorboek has no public sign-up: accounts come from invitations and referrals."""

    def is_open_for_signup(self, request) -> bool:
        return False
