from inquest.cli import main

main()
