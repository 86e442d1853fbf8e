"""What every page's footer shows: who runs the site and its ICP 备案号 (settings)."""
from django.conf import settings


def site_operator(request) -> dict:
    return {
        "site_operator": {
            "name": settings.SITE_OPERATOR_NAME,
            "unit": settings.SITE_OPERATOR_UNIT,
            "address": settings.SITE_OPERATOR_ADDRESS,
            "phones": settings.SITE_OPERATOR_PHONES,
            "email": settings.SITE_OPERATOR_EMAIL,
        },
        "icp_number": settings.ICP_NUMBER,
    }
