from bench.fanout_live.run import main

main()
