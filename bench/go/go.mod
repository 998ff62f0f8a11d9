module gz-profile/bench/go

go 1.19
