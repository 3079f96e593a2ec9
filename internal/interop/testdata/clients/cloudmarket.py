# A client of the Cloud Market API gateway, written the way that gateway's
# published clients are (sandbox/README.md, gateway-auth.md §4b): a JSON
# Authorization with an HMAC-SHA1 of "x-date: <date>", a fresh request-id,
# a form body. Standard library only. Configured by the environment:
# FACEID_URL, FACEID_ID, FACEID_KEY, FACEID_IDCARD, FACEID_NAME,
# FACEID_IMAGE_FILE. Prints the HTTP status, then the body.
import base64
import hashlib
import hmac
import json
import os
import sys
import uuid
from email.utils import formatdate
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

env = os.environ
date = formatdate(usegmt=True)  # "Thu, 03 Dec 2026 11:42:18 GMT"
mac = hmac.new(env["FACEID_KEY"].encode("utf-8"), ("x-date: " + date).encode("utf-8"), hashlib.sha1)
signature = base64.b64encode(mac.digest()).decode("ascii")
# json.dumps puts a space after ':' and ',', as some of those clients do.
authorization = json.dumps({"id": env["FACEID_ID"], "x-date": date, "signature": signature})

with open(env["FACEID_IMAGE_FILE"], "rb") as f:
    image = base64.b64encode(f.read()).decode("ascii")
body = urlencode({"idcard": env["FACEID_IDCARD"], "name": env["FACEID_NAME"], "image": image}).encode("utf-8")
req = Request(env["FACEID_URL"], data=body, method="POST", headers={
    "Authorization": authorization,
    "X-Date": date,
    "request-id": str(uuid.uuid4()),
    "Content-Type": "application/x-www-form-urlencoded",
})
try:
    with urlopen(req, timeout=30) as resp:
        status, answer = resp.status, resp.read()
except HTTPError as e:
    status, answer = e.code, e.read()
sys.stdout.write("%d\n%s\n" % (status, answer.decode("utf-8")))
