from covermap.cli.main import app

app(prog_name="covermap")
