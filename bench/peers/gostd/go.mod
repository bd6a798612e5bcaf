module gostd

go 1.26
