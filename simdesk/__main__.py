from simdesk.cli import main

main()
