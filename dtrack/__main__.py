from dtrack.cli.app import main

main()
