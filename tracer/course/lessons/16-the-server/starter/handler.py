"""The request handler your server uses: it reads one HTTP request and hands the app a WSGI environ."""

from sample_api import wsgi


class RequestHandler(wsgi.RequestHandler):
    """sample_api's handler, which should also tell the app the client's port."""

    def get_environ(self) -> dict:
        environ = super().get_environ()
        # TODO: put the client's port into environ["REMOTE_PORT"], a string as every CGI variable is.
        return environ
