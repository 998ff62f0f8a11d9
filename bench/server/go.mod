module gz/bench/server

go 1.19
