import InfraCLI

InfraCommand.main()
