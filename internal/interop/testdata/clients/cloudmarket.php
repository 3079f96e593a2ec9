<?php
// A client of the Cloud Market API gateway, written the way that gateway's
// published PHP clients are (gateway-auth.md §4b): curl, an HMAC-SHA1 of
// "x-date: <date>", a JSON Authorization, a fresh request-id, a form body.
// json_encode writes '/' in the signature as '\/', as PHP clients send it.
// Configured by the environment: FACEID_URL, FACEID_ID, FACEID_KEY,
// FACEID_IDCARD, FACEID_NAME, FACEID_IMAGE_FILE. Prints the HTTP status,
// then the body.
$date = gmdate('D, d M Y H:i:s') . ' GMT';
$signature = base64_encode(hash_hmac('sha1', 'x-date: ' . $date, getenv('FACEID_KEY'), true));
$authorization = json_encode(array('id' => getenv('FACEID_ID'), 'x-date' => $date, 'signature' => $signature));

$r = random_bytes(16);
$r[6] = chr(ord($r[6]) & 0x0f | 0x40);
$r[8] = chr(ord($r[8]) & 0x3f | 0x80);
$requestId = vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($r), 4));

$body = http_build_query(array(
    'idcard' => getenv('FACEID_IDCARD'),
    'name' => getenv('FACEID_NAME'),
    'image' => base64_encode(file_get_contents(getenv('FACEID_IMAGE_FILE'))),
));
$ch = curl_init(getenv('FACEID_URL'));
curl_setopt($ch, CURLOPT_POST, true);
curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
curl_setopt($ch, CURLOPT_RETURNTRANSFER, true);
curl_setopt($ch, CURLOPT_TIMEOUT, 30);
curl_setopt($ch, CURLOPT_HTTPHEADER, array(
    'Authorization: ' . $authorization,
    'X-Date: ' . $date,
    'request-id: ' . $requestId,
    'Content-Type: application/x-www-form-urlencoded',
));
$answer = curl_exec($ch);
if ($answer === false) {
    fwrite(STDERR, curl_error($ch) . "\n");
    exit(1);
}
echo curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . "\n" . $answer . "\n";
curl_close($ch);
