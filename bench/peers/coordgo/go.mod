module coordgo

go 1.26
