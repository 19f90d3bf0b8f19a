package hello
