"""The request handler your server uses: it reads one HTTP request and hands the app a WSGI environ."""

from sample_api import wsgi


class RequestHandler(wsgi.RequestHandler):
    """sample_api's handler, which also tells the app the client's port."""

    def get_environ(self) -> dict:
        environ = super().get_environ()
        # client_address is the (host, port) the connection came from, as accept() gave it
        environ["REMOTE_PORT"] = str(self.client_address[1])
        return environ
