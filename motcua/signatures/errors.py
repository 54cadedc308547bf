from motcua.core.errors import ApplicationError


class SigningFailed(ApplicationError):
    """A signature that could not be made (token absent, wrong PIN, code refused, service or
    time-stamping authority down, a certificate that does not validate): nothing was signed,
    and the message tells the officer what to do."""
