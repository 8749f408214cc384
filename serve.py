"""ASGI entry: the Streamlit app (app.py) served through st.App, with the project's own HTTP routes and headers.

`make run` starts it with `streamlit run serve.py` (Streamlit's uvicorn runner: every setting of
.streamlit/config.toml applies, the bind address and port included); `uvicorn serve:app --host H --port P`
serves the same app (uvicorn then owns the address and port; the other Streamlit settings still apply).
"""

from pathlib import Path

from starlette.middleware import Middleware
from starlette.routing import Route
from streamlit.starlette import App

from components import sso, web

app = App(
    Path(__file__).resolve().parent / "app.py",
    routes=[
        # The sign-in button's way to the OIDC provider, keeping the page asked for (components/sso.py).
        Route(sso.ROUTE, sso.start, methods=["GET"]),
        *web.routes(),
    ],
    middleware=[Middleware(web.SecurityHeaders)],
)
