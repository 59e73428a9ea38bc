//! The `kabinet` binary: parse the command line, set up logging, dispatch.

use std::process::ExitCode;

use clap::Parser;
use std::io::BufRead;

use kabinet::clock::{Clock, SystemClock};
use kabinet::config::{Cli, Command, StaffCommand};
use kabinet::{app, graphql, telemetry};

// A GraphQL response is thousands of small allocations (a 24-hour grid: ~5 000
// objects); glibc's allocator spent a quarter of the grid's time in malloc/free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::PrintSchema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            telemetry::init(cli.settings.log_format);
            app::migrate_only(&cli.settings).await
        }
        Command::ImportEpg { file } => {
            telemetry::init(cli.settings.log_format);
            app::import_epg(&cli.settings, &file).await
        }
        Command::ImportCoverage { file } => {
            telemetry::init(cli.settings.log_format);
            app::import_coverage(&cli.settings, &file).await
        }
        Command::DemoEpg { days } => {
            print!(
                "{}",
                kabinet::demo::tv::document_of_days(SystemClock.now(), days.into())
            );
            Ok(())
        }
        Command::BillingRun { date } => {
            telemetry::init(cli.settings.log_format);
            app::billing_run(&cli.settings, &*cli.settings.clock(), date).await
        }
        Command::Staff(StaffCommand::Add { login, name }) => {
            telemetry::init(cli.settings.log_format);
            eprintln!("Password for {login} (one line on standard input):");
            let mut password = String::new();
            match std::io::stdin().lock().read_line(&mut password) {
                Ok(_) => {
                    app::add_staff(
                        &cli.settings,
                        &SystemClock,
                        &login,
                        &name,
                        password.trim_end_matches(['\r', '\n']),
                    )
                    .await
                }
                Err(err) => {
                    eprintln!("kabinet: cannot read the password: {err}");
                    return ExitCode::FAILURE;
                }
            }
        }
        Command::Serve => {
            telemetry::init(cli.settings.log_format);
            app::run(cli.settings).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = err.to_string();
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                let text = cause.to_string();
                if !message.contains(&text) {
                    message.push_str(": ");
                    message.push_str(&text);
                }
                source = cause.source();
            }
            eprintln!("kabinet: {message}");
            ExitCode::FAILURE
        }
    }
}
