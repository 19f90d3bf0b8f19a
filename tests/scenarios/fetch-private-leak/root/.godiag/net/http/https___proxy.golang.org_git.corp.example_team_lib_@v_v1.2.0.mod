404
Content-Type: text/plain; charset=utf-8

not found: git.corp.example/team/lib@v1.2.0: unrecognized import path "git.corp.example/team/lib": https fetch: dial tcp: lookup git.corp.example: no such host
