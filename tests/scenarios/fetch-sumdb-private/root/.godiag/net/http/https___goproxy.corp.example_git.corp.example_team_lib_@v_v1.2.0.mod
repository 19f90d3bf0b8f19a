200
Content-Type: text/plain

module git.corp.example/team/lib
