// A client of the Cloud Market API gateway, written the way that gateway's
// published Node clients are (gateway-auth.md §4b): crypto-js for the
// HMAC-SHA1 of "x-date: <date>", a compact JSON Authorization, a fresh
// request-id, a form body. Configured by the environment: FACEID_URL,
// FACEID_ID, FACEID_KEY, FACEID_IDCARD, FACEID_NAME, FACEID_IMAGE_FILE.
// Prints the HTTP status, then the body.
var CryptoJS = require("crypto-js");
var crypto = require("crypto");
var fs = require("fs");
var http = require("http");
var querystring = require("querystring");

var env = process.env;
var date = new Date().toUTCString(); // "Thu, 03 Dec 2026 11:42:18 GMT"
var signature = CryptoJS.enc.Base64.stringify(CryptoJS.HmacSHA1("x-date: " + date, env.FACEID_KEY));
var authorization = JSON.stringify({ id: env.FACEID_ID, "x-date": date, signature: signature });
var body = querystring.stringify({
  idcard: env.FACEID_IDCARD,
  name: env.FACEID_NAME,
  image: fs.readFileSync(env.FACEID_IMAGE_FILE).toString("base64"),
});

var req = http.request(env.FACEID_URL, {
  method: "POST",
  timeout: 30000,
  headers: {
    "Authorization": authorization,
    "X-Date": date,
    "request-id": crypto.randomUUID(),
    "Content-Type": "application/x-www-form-urlencoded",
    "Content-Length": Buffer.byteLength(body),
  },
}, function (res) {
  var chunks = [];
  res.on("data", function (c) { chunks.push(c); });
  res.on("end", function () {
    process.stdout.write(res.statusCode + "\n" + Buffer.concat(chunks).toString("utf8") + "\n");
  });
});
req.on("error", function (e) { console.error(e); process.exit(1); });
req.end(body);
