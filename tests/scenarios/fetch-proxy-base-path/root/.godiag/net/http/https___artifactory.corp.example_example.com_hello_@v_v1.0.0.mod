404
Content-Type: text/plain; charset=utf-8

not found
