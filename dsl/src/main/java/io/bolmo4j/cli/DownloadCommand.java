package io.bolmo4j.cli;

import io.bolmo4j.hub.Hub;
import io.bolmo4j.hub.HubRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

@Command(name = "download", description = {"Download a model repository from the Hugging Face Hub into the hub cache that"
        + " huggingface_hub and transformers share, and print its snapshot folder.",
        "Environment: HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE, HF_TOKEN (for gated and private repositories)."})
final class DownloadCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "ORG/NAME", description = "the repository, e.g. allenai/OLMo-2-0425-1B (ORG/NAME@REV also works)")
    String repo;

    @Option(names = "--revision", paramLabel = "R", description = "branch, tag or commit (default: main, or the @REV of the name)")
    String revision;

    @Option(names = "--include", paramLabel = "GLOB", arity = "1..*",
            description = "only files matching these globs, as huggingface-cli's --include (e.g. '*.json' '*.safetensors')")
    List<String> include = new ArrayList<>();

    @Override
    public void run() {
        HubRepo r = HubRepo.parse(repo);
        if (revision != null) {
            r = r.at(revision);
        }
        Path folder = Hub.current().download(r, include);
        System.out.println(folder);
    }
}
