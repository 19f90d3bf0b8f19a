module golisten

go 1.21
