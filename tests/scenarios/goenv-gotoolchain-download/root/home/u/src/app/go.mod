module example.com/app

go 1.28

toolchain go1.28.2
