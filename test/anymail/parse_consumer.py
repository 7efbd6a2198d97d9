"""django-anymail's MailjetInboundWebhookView as a real Parse API consumer, for test/anymail-inbound.test.ts.

Serves the view on 127.0.0.1 (a free port, printed as `PORT <n>`), protected by Basic auth `mjsim:secret`
(anymail's WEBHOOK_SECRET), and prints one `INBOUND <json>` line per inbound message with what anymail
recovered from Mailjet's JSON.
"""
import base64
import json
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="mjsim-test",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["anymail"],
    ANYMAIL={"WEBHOOK_SECRET": "mjsim:secret"},
    MIDDLEWARE=[],
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from anymail.signals import inbound  # noqa: E402
from anymail.webhooks.mailjet import MailjetInboundWebhookView  # noqa: E402

urlpatterns = [path("anymail/mailjet/inbound/", MailjetInboundWebhookView.as_view())]


def address(a):
    return None if a is None else [a.display_name, a.addr_spec]


def on_inbound(sender, event, esp_name, **kwargs):
    message = event.message
    attachments = [
        {
            "filename": a.get_filename(),
            "content_type": a.get_content_type(),
            "content": base64.b64encode(a.get_content_bytes()).decode(),
        }
        for a in message.attachments
    ]
    inlines = {
        cid: {"content_type": part.get_content_type(), "content": base64.b64encode(part.get_content_bytes()).decode()}
        for cid, part in message.inline_attachments.items()
    }
    print(
        "INBOUND "
        + json.dumps(
            {
                "esp_name": esp_name,
                "subject": message.subject,
                "from": address(message.from_email),
                "to": [address(a) for a in message.to],
                "cc": [address(a) for a in message.cc],
                "date": message.date.isoformat() if message.date else None,
                "text": message.text,
                "html": message.html,
                "attachments": attachments,
                "inlines": inlines,
                "envelope_sender": message.envelope_sender,
                "envelope_recipient": message.envelope_recipient,
                "spam_score": message.spam_score,
            }
        ),
        flush=True,
    )


inbound.connect(on_inbound)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
print("PORT %d" % server.server_port, flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
sys.exit(0)
