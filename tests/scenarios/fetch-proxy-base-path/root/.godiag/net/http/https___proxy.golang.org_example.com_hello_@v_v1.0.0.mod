200
Content-Type: text/plain

module example.com/hello
